using System.Security.Cryptography;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Devices;

/// <summary>Names are matched whole: a trailing newline is not a second identity, and one serial holds one certificate.</summary>
public sealed class ExactNamesTests(SqliteHub fixture) : IClassFixture<SqliteHub>
{
    private RunningHub Hub => fixture.Hub;

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData(" ")]
    [InlineData("/x")]
    public async Task A_serial_with_anything_after_the_name_is_refused(string suffix)
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var serial = Unique.Name("tank") + suffix;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (status, body) = await HubApi.PostAsync(Hub, "/api/v1/devices", new { serial, product, tags = Array.Empty<string>(), csr = ExactCsr(key, serial) });

        Assert.Equal(400, status);
        Assert.Equal("invalid_name", body.GetProperty("code").GetString());
    }

    /// <summary>A CSR whose CN is exactly the string given, newline included, as a hostile client can make it.</summary>
    private static string ExactCsr(ECDsa key, string commonName)
    {
        var subject = new System.Security.Cryptography.X509Certificates.X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        return new System.Security.Cryptography.X509Certificates.CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }

    [Fact]
    public async Task A_tag_with_a_trailing_newline_is_refused()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var serial = Unique.Name("tank");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var (status, _) = await HubApi.PostAsync(Hub, "/api/v1/devices", new { serial, product, tags = new[] { "field\n" }, csr = DeviceIdentity.NewCsr(key, serial) });

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task A_serial_gets_one_certificate_and_its_subject_reads_back_as_the_serial()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var device = await DeviceIdentity.ProvisionAsync(Hub, Unique.Name("tank"), product);
        Assert.Equal($"CN={device.Serial}", device.Certificate.Subject);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (status, _) = await HubApi.PostAsync(Hub, "/api/v1/devices", new { serial = device.Serial, product, tags = Array.Empty<string>(), csr = DeviceIdentity.NewCsr(key, device.Serial) });

        Assert.Equal(409, status);
    }
}
