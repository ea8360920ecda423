using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Fleet.Protocol.Tls;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Tls;

/// <summary>The hub is recognised by serverAuth and a subjectAltName for the dialled host, under the pinned anchor;
/// checked over a real TLS handshake on 127.0.0.1.</summary>
public sealed class HubCertificatePolicyTests
{
    private static readonly X509Certificate2 Ca = TestPki.Ca();

    [Theory]
    [InlineData("device-cert-for-localhost", "localhost", HubCertificateVerdict.NotServerAuth)]
    [InlineData("no-eku", "localhost", HubCertificateVerdict.NotServerAuth)]
    [InlineData("cn-only", "localhost", HubCertificateVerdict.NameMismatch)]
    [InlineData("san-other", "localhost", HubCertificateVerdict.NameMismatch)]
    [InlineData("server", "127.0.0.2", HubCertificateVerdict.NameMismatch)]
    [InlineData("foreign-ca", "localhost", HubCertificateVerdict.UntrustedChain)]
    [InlineData("ca-as-server", "localhost", HubCertificateVerdict.NotServerAuth)]
    [InlineData("server", "localhost", HubCertificateVerdict.Trusted)]
    [InlineData("server", "LOCALHOST", HubCertificateVerdict.Trusted)]
    [InlineData("server", "127.0.0.1", HubCertificateVerdict.Trusted)]
    public async Task Only_a_server_certificate_naming_the_dialled_host_under_the_anchor_is_the_hub(string presented, string host, HubCertificateVerdict expected)
    {
        var certificate = presented switch
        {
            "device-cert-for-localhost" => TestPki.Leaf(Ca, "localhost", TestPki.ClientAuth, "localhost"),
            "no-eku" => TestPki.Leaf(Ca, "localhost", null, "localhost"),
            "cn-only" => TestPki.Leaf(Ca, "localhost", TestPki.ServerAuth),
            "san-other" => TestPki.Leaf(Ca, "localhost", TestPki.ServerAuth, "hub.example"),
            "foreign-ca" => TestPki.Leaf(TestPki.Ca("Other CA"), "localhost", TestPki.ServerAuth, "localhost"),
            "ca-as-server" => TestPki.CaWithServerAuth(Ca, "hub", "localhost"),
            _ => TestPki.Leaf(Ca, "hub", TestPki.ServerAuth, "localhost", "127.0.0.1"),
        };
        await using var server = new TlsProbeServer(certificate);

        var verdict = await HandshakeAsync(server.Port, host);

        Assert.Equal(expected, verdict);
    }

    private static async Task<HubCertificateVerdict> HandshakeAsync(int port, string host)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var verdict = HubCertificateVerdict.NoCertificate;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, cert, chain, _) =>
        {
            verdict = HubCertificatePolicy.Check(cert, chain, host, [Ca]);
            return verdict == HubCertificateVerdict.Trusted;
        });
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host });
        }
        catch (System.Security.Authentication.AuthenticationException)
        {
            Assert.NotEqual(HubCertificateVerdict.Trusted, verdict);
        }

        return verdict;
    }
}
