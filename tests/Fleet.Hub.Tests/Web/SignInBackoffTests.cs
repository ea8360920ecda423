using System.Net;
using Fleet.Hub.Accounts.SignIn;
using Fleet.Hub.Audit;

namespace Fleet.Hub.Tests.Web;

public sealed class SignInBackoffTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Failures_past_the_free_ones_wait_longer_each_time_for_that_client_and_user_only()
    {
        var clock = new Clock();
        var backoff = new SignInBackoff(clock);
        var flooder = IPAddress.Parse("192.0.2.1");
        for (var i = 0; i < SignInBackoff.FreeFailures; i++)
        {
            backoff.Failed(flooder, "admin");
            Assert.Equal(TimeSpan.Zero, backoff.Wait(flooder, "admin"));
        }

        backoff.Failed(flooder, "admin");
        Assert.Equal(SignInBackoff.FirstDelay, backoff.Wait(flooder, "ADMIN"));
        Assert.Equal(TimeSpan.Zero, backoff.Wait(IPAddress.Parse("192.0.2.2"), "admin"));
        Assert.Equal(TimeSpan.Zero, backoff.Wait(flooder, "other"));

        clock.Now += SignInBackoff.FirstDelay;
        backoff.Failed(flooder, "admin");
        Assert.Equal(SignInBackoff.FirstDelay * 2, backoff.Wait(flooder, "admin"));
        Assert.Equal(SignInBackoff.MaxDelay, SignInBackoff.Delay(1000));

        backoff.Succeeded(flooder, "admin");
        Assert.Equal(TimeSpan.Zero, backoff.Wait(flooder, "admin"));
    }

    [Fact]
    public void IPv6_clients_count_per_64_and_mapped_IPv4_as_IPv4()
    {
        Assert.Equal(SignInBackoff.Client(IPAddress.Parse("2001:db8:1:2::1")), SignInBackoff.Client(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(SignInBackoff.Client(IPAddress.Parse("2001:db8:1:2::1")), SignInBackoff.Client(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal("192.0.2.7", SignInBackoff.Client(IPAddress.Parse("::ffff:192.0.2.7")));
    }

    [Fact]
    public void The_table_stays_bounded_under_a_spray_of_names()
    {
        var backoff = new SignInBackoff(new Clock());
        var client = IPAddress.Parse("192.0.2.1");
        for (var i = 0; i < SignInBackoff.MaxEntries * 2; i++)
        {
            backoff.Failed(client, $"user{i}");
        }

        Assert.True(backoff.Count <= SignInBackoff.MaxEntries + 1, $"{backoff.Count} entries");
    }

    [Theory]
    [InlineData("admin", "admin")]
    [InlineData("a\nb\u001b[31m", "a?b?[31m")]
    [InlineData("x\u202ey", "x?y")]
    public void Audit_text_shows_control_and_format_characters_as_question_marks(string typed, string kept)
    {
        Assert.Equal(kept, AuditText.Bound(typed));
    }

    [Fact]
    public void Audit_text_is_cut_with_its_length_and_never_splits_a_surrogate_pair()
    {
        var typed = new string('a', AuditText.UserNameLength - 1) + "\U0001F600" + new string('b', 1000);
        var kept = AuditText.Bound(typed);
        Assert.Equal(new string('a', AuditText.UserNameLength - 1) + $"... ({typed.Length} characters)", kept);
    }
}
