using Fleet.Device.Link;
using Fleet.Device.Storage;
using Fleet.Device.Update;
using Fleet.Testing;

namespace Fleet.Device.Tests.Link;

public sealed class ProvisioningLoaderTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly TestPki _pki = new();

    [Fact]
    public void Provisioned_root_yields_the_serial_from_the_certificate_cn()
    {
        _pki.Provision(_root.Path, "tank-0042", 18883);

        Assert.Equal(ProvisioningProblem.None, ProvisioningLoader.TryLoad(new DeviceRoot(_root.Path), out var id, out _));

        Assert.Equal("tank-0042", id!.Serial);
        Assert.Equal(new HubEndpoint("127.0.0.1", 18883), id.Hub);
        Assert.True(id.ClientCertificate.HasPrivateKey);
    }

    [Fact]
    public void Hub_json_without_a_port_means_8883()
    {
        _pki.Provision(_root.Path, "tank-0042", 1);
        File.WriteAllText(_root.Combine("provisioning", "hub.json"), """{"host":"hub.example"}""");

        ProvisioningLoader.TryLoad(new DeviceRoot(_root.Path), out var id, out _);

        Assert.Equal(8883, id!.Hub.Port);
    }

    [Theory]
    [InlineData("ca.crt", ProvisioningProblem.MissingFile, "ca.crt is missing")]
    [InlineData("device.key", ProvisioningProblem.MissingFile, "device.key is missing")]
    public void Missing_file_fails_closed_naming_it(string file, ProvisioningProblem expected, string message)
    {
        _pki.Provision(_root.Path, "tank-0042", 18883);
        File.Delete(_root.Combine("provisioning", file));

        Assert.Equal(expected, ProvisioningLoader.TryLoad(new DeviceRoot(_root.Path), out var id, out var text));

        Assert.Null(id);
        Assert.Contains(message, text);
    }

    [Fact]
    public void Key_that_does_not_match_the_certificate_is_refused()
    {
        _pki.Provision(_root.Path, "tank-0042", 18883);
        var other = _root.Combine("other");
        _pki.Provision(other, "tank-0043", 18883);
        File.Copy(_root.Combine("other", "provisioning", "device.key"), _root.Combine("provisioning", "device.key"), overwrite: true);

        Assert.Equal(ProvisioningProblem.InvalidCertificate, ProvisioningLoader.TryLoad(new DeviceRoot(_root.Path), out _, out _));
    }

    [Fact]
    public void Malformed_hub_json_is_refused_with_an_example()
    {
        _pki.Provision(_root.Path, "tank-0042", 18883);
        File.WriteAllText(_root.Combine("provisioning", "hub.json"), "{ host: ");

        Assert.Equal(ProvisioningProblem.InvalidHubEndpoint, ProvisioningLoader.TryLoad(new DeviceRoot(_root.Path), out _, out var message));
        Assert.Contains("\"port\":8883", message);
    }

    public void Dispose() => _root.Dispose();
}
