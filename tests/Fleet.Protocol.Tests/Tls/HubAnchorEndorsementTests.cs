using System.Security.Cryptography.X509Certificates;
using Fleet.Protocol.Tls;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Tls;

/// <summary>A tank pins the hub's new anchor only when the anchor it pins now vouches for it; each refusal by name.</summary>
public sealed class HubAnchorEndorsementTests
{
    private static readonly X509Certificate2 DeviceCa = TestPki.Ca("Device CA");
    private static readonly X509Certificate2 HubCa = TestPki.Ca("Hub CA");
    private static readonly X509Certificate2 Device = TestPki.Leaf(DeviceCa, "tank-0001", TestPki.ClientAuth);
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static string Pem(params X509Certificate2[] certificates) => HubAnchors.ToPem(certificates);

    private static HubAnchorVerdict Check(string proposed, string endorsement) =>
        HubAnchorEndorsement.Check([DeviceCa], proposed, endorsement, Device, Now);

    [Fact]
    public void The_hub_CA_endorsed_by_the_device_CA_is_accepted()
    {
        Assert.Equal(HubAnchorVerdict.Accepted, Check(Pem(HubCa), Pem(TestPki.IssueCa(DeviceCa, HubCa))));
    }

    [Fact]
    public void The_anchor_pinned_already_is_unchanged()
    {
        Assert.Equal(HubAnchorVerdict.Unchanged, Check(Pem(DeviceCa), Pem(TestPki.IssueCa(DeviceCa, HubCa))));
    }

    [Fact]
    public void An_endorsement_from_another_CA_is_refused()
    {
        Assert.Equal(HubAnchorVerdict.NotEndorsedByCurrentAnchor, Check(Pem(HubCa), Pem(TestPki.IssueCa(TestPki.Ca("Stranger"), HubCa))));
    }

    [Fact]
    public void A_self_signed_anchor_as_its_own_endorsement_is_refused()
    {
        Assert.Equal(HubAnchorVerdict.NotEndorsedByCurrentAnchor, Check(Pem(HubCa), Pem(HubCa)));
    }

    [Fact]
    public void An_endorsement_of_another_key_is_refused()
    {
        Assert.Equal(HubAnchorVerdict.EndorsementForOtherKey, Check(Pem(HubCa), Pem(TestPki.IssueCa(DeviceCa, TestPki.Ca("Hub CA")))));
    }

    [Fact]
    public void A_self_signed_certificate_that_is_no_CA_is_refused()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Not a CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var notCa = request.CreateSelfSigned(Now.AddMinutes(-5), Now.AddDays(30));
        Assert.Equal(HubAnchorVerdict.NotACa, Check(Pem(X509CertificateLoader.LoadCertificate(notCa.RawData)), Pem(TestPki.IssueCa(DeviceCa, HubCa))));
    }

    [Fact]
    public void An_anchor_that_may_have_CAs_below_it_is_refused()
    {
        // An offline root (no pathlen) that signed a device CA must never become the hub's anchor.
        var root = TestPki.Ca("Offline root", limitPath: false);
        Assert.Equal(HubAnchorVerdict.MayIssueCas, Check(Pem(root), Pem(TestPki.IssueCa(DeviceCa, root))));
    }

    [Fact]
    public void An_expired_endorsement_is_refused()
    {
        Assert.Equal(HubAnchorVerdict.NotValidNow, HubAnchorEndorsement.Check([DeviceCa], Pem(HubCa), Pem(TestPki.IssueCa(DeviceCa, HubCa)), Device, Now.AddDays(60)));
    }

    [Fact]
    public void The_CA_that_issued_the_device_itself_is_refused_as_the_hub_anchor()
    {
        // Endorsed by itself through the current pin: it is the pin's own key, so a device could pass as the hub.
        var other = TestPki.Ca("Other device CA");
        var device = TestPki.Leaf(other, "tank-0002", TestPki.ClientAuth);
        var verdict = HubAnchorEndorsement.Check([DeviceCa], Pem(other), Pem(TestPki.IssueCa(DeviceCa, other)), device, Now);
        Assert.Equal(HubAnchorVerdict.IssuesDeviceCertificates, verdict);
    }

    [Fact]
    public void An_offline_root_with_its_server_CA_endorsed_by_the_current_anchor_is_accepted()
    {
        // The anchor make-pki.sh hands out: the offline root followed by the server CA it issued (pathlen 0).
        var root = TestPki.Ca("Offline root", limitPath: false);
        var serverCa = TestPki.IssueCa(root, null, "Server CA");
        var bundle = Pem(root, X509CertificateLoader.LoadCertificate(serverCa.RawData));

        Assert.Equal(HubAnchorVerdict.Accepted, Check(bundle, Pem(TestPki.IssueCa(DeviceCa, serverCa))));
        Assert.Equal(HubAnchorVerdict.EndorsementForOtherKey, Check(bundle, Pem(TestPki.IssueCa(DeviceCa, root))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not pem")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void Malformed_input_is_refused(string pem)
    {
        Assert.Equal(HubAnchorVerdict.Malformed, Check(pem, Pem(TestPki.IssueCa(DeviceCa, HubCa))));
        Assert.Equal(HubAnchorVerdict.Malformed, Check(Pem(HubCa), pem));
    }

    [Fact]
    public void Two_roots_or_two_endorsements_are_malformed()
    {
        var endorsement = TestPki.IssueCa(DeviceCa, HubCa);
        Assert.Equal(HubAnchorVerdict.Malformed, Check(Pem(HubCa, TestPki.Ca("Second")), Pem(endorsement)));
        Assert.Equal(HubAnchorVerdict.Malformed, Check(Pem(HubCa), Pem(endorsement, endorsement)));
    }

    [Fact]
    public void A_pinned_server_CA_under_a_root_admits_only_certificates_issued_through_it()
    {
        var root = TestPki.Ca("Root", limitPath: false);
        var serverCa = TestPki.IssueCa(root, null, "Server CA");
        var deviceCa = TestPki.IssueCa(root, null, "Device CA 2");
        var hub = TestPki.Leaf(serverCa, "hub", TestPki.ServerAuth, "localhost");
        var impostor = TestPki.Leaf(deviceCa, "localhost", TestPki.ServerAuth, "localhost");
        X509Certificate2Collection pinned = [root, X509CertificateLoader.LoadCertificate(serverCa.RawData)];

        Assert.Equal(HubCertificateVerdict.Trusted, HubCertificatePolicy.Check(hub, [], "localhost", pinned));
        Assert.Equal(HubCertificateVerdict.UntrustedChain, HubCertificatePolicy.Check(impostor, [X509CertificateLoader.LoadCertificate(deviceCa.RawData)], "localhost", pinned));
        // Pinning the root alone would let the device CA's branch vouch for a server.
        Assert.Equal(HubCertificateVerdict.Trusted, HubCertificatePolicy.Check(impostor, [X509CertificateLoader.LoadCertificate(deviceCa.RawData)], "localhost", [root]));
    }

    [Fact]
    public void The_fingerprint_ignores_order_and_changes_with_the_set()
    {
        Assert.Equal(HubAnchors.Fingerprint([DeviceCa, HubCa]), HubAnchors.Fingerprint([HubCa, DeviceCa]));
        Assert.NotEqual(HubAnchors.Fingerprint([DeviceCa]), HubAnchors.Fingerprint([HubCa]));
    }
}
