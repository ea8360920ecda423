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

    [Fact]
    public async Task Racing_provisionings_of_one_serial_leave_one_certificate_and_the_others_are_refused_as_conflicts()
    {
        var product = await HubApi.CreateProductAsync(Hub);
        var serial = Unique.Name("tank");
        var attempts = Enumerable.Range(0, 6).Select(async _ =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return await HubApi.PostAsync(Hub, "/api/v1/devices", new { serial, product, tags = Array.Empty<string>(), csr = DeviceIdentity.NewCsr(key, serial) });
        }).ToList();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r.Status == 201);
        Assert.All(results.Where(r => r.Status != 201), r =>
        {
            Assert.Equal(409, r.Status);
            Assert.Equal("device_exists", r.Body.GetProperty("code").GetString());
        });
        var issued = results.Single(r => r.Status == 201).Body.GetProperty("certificatePem").GetString()!;
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(issued);
        var registered = (await HubApi.GetAsync(Hub, $"/api/v1/devices/{serial}")).GetProperty("certificateFingerprint").GetString();
        Assert.Equal(certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(), registered);
    }
}
