using Fleet.Cli.Burn;

namespace Fleet.Cli.Tests.Burn;

/// <summary>The first-boot hook is one runcmd entry added to the image's own cloud-init user-data.</summary>
public sealed class CloudInitUserDataTests
{
    private const string Entry = "- " + CloudInitUserData.InstallCommand;

    [Fact]
    public void Adds_a_runcmd_block_and_keeps_the_existing_configuration()
    {
        var result = CloudInitUserData.AddInstallCommand("#cloud-config\nhostname: tank\nusers:\n  - name: pi\n", "img");

        Assert.StartsWith("#cloud-config\nhostname: tank\nusers:\n  - name: pi\n", result);
        Assert.EndsWith("runcmd:\n  " + Entry + "\n", result);
    }

    [Theory]
    [InlineData("#cloud-config\nruncmd:\n  - [echo, hi]\n", "runcmd:\n  " + Entry + "\n  - [echo, hi]\n")]
    [InlineData("#cloud-config\nruncmd:\n- [echo, hi]\n", "runcmd:\n" + Entry + "\n- [echo, hi]\n")]
    [InlineData("#cloud-config\nruncmd:\n    # comment\n    - echo hi\n", "runcmd:\n    " + Entry + "\n    # comment\n    - echo hi\n")]
    public void Joins_an_existing_runcmd_list_at_its_indentation(string existing, string expectedTail)
    {
        var result = CloudInitUserData.AddInstallCommand(existing, "img");

        Assert.EndsWith(expectedTail, result);
        Assert.Single(result.Split('\n'), l => l.StartsWith("runcmd:", StringComparison.Ordinal));
    }

    [Fact]
    public void Adds_the_command_only_once()
    {
        var once = CloudInitUserData.AddInstallCommand("#cloud-config\n", "img");

        Assert.Equal(once, CloudInitUserData.AddInstallCommand(once, "img"));
    }

    [Fact]
    public void Turns_windows_line_endings_into_unix_ones()
    {
        var result = CloudInitUserData.AddInstallCommand("#cloud-config\r\nhostname: tank\r\n", "img");

        Assert.DoesNotContain('\r', result);
        Assert.Contains("hostname: tank\n", result);
    }

    [Fact]
    public void Refuses_an_image_without_cloud_init()
    {
        var failure = Assert.Throws<CliFailure>(() => CloudInitUserData.AddInstallCommand(null, "raspios-bookworm.img"));

        Assert.Contains("image 'raspios-bookworm.img' has no cloud-init user-data", failure.Message);
    }

    [Theory]
    [InlineData("#!/bin/sh\necho hi\n", "is not a #cloud-config document")]
    [InlineData("#cloud-config\nruncmd: [[echo, hi]]\n", "has an inline runcmd")]
    public void Refuses_user_data_it_cannot_extend_safely(string existing, string message)
    {
        var failure = Assert.Throws<CliFailure>(() => CloudInitUserData.AddInstallCommand(existing, "img"));

        Assert.Contains(message, failure.Message);
    }
}
