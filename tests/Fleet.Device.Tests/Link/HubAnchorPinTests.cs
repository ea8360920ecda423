using System.Security.Cryptography.X509Certificates;
using Fleet.Device.Link;
using Fleet.Device.Update;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Tls;
using Fleet.Testing;

namespace Fleet.Device.Tests.Link;

/// <summary>The agent's hub anchor: a new one is pinned only when endorsed, the old one stays as a fallback until a
/// connection verifies under the new one, and a refusal leaves the files as they were.</summary>
public sealed class HubAnchorPinTests : IDisposable
{
    private readonly TempDir _root = new();
    private readonly X509Certificate2 _deviceCa = Fleet.Testing.TestPki.Ca("Device CA");
    private readonly X509Certificate2 _hubCa = Fleet.Testing.TestPki.Ca("Hub CA");
    private readonly DeviceRoot _device;

    public HubAnchorPinTests()
    {
        _device = new DeviceRoot(_root.Path);
        Directory.CreateDirectory(_device.ProvisioningDir);
        File.WriteAllText(_device.CaCertificate, _deviceCa.ExportCertificatePem() + "\n");
        File.WriteAllText(_device.DeviceCertificate, Fleet.Testing.TestPki.Leaf(_deviceCa, "tank-0001", Fleet.Testing.TestPki.ClientAuth).ExportCertificatePem() + "\n");
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public void An_endorsed_anchor_is_pinned_and_the_old_one_kept_until_the_hub_verifies_under_the_new_one()
    {
        var pin = new HubAnchorPin(_device);
        pin.Load();
        var changed = 0;
        pin.Changed += () => changed++;
        var legacyServer = Fleet.Testing.TestPki.Leaf(_deviceCa, "hub", Fleet.Testing.TestPki.ServerAuth, "localhost");
        var newServer = Fleet.Testing.TestPki.Leaf(_hubCa, "hub", Fleet.Testing.TestPki.ServerAuth, "localhost");
        Assert.False(pin.Validate(newServer, null, "localhost"));

        var verdict = pin.Replace(new HubAnchorUpdate(HubAnchors.ToPem([_hubCa]), HubAnchors.ToPem([Fleet.Testing.TestPki.IssueCa(_deviceCa, _hubCa)])), DateTimeOffset.UtcNow);

        Assert.Equal(HubAnchorVerdict.Accepted, verdict);
        Assert.Equal(1, changed);
        Assert.Equal(HubAnchors.Fingerprint([_hubCa]), pin.Fingerprint);
        Assert.Equal(_hubCa.Thumbprint, HubAnchors.Load(_device.CaCertificate)[0].Thumbprint);
        Assert.Equal(_deviceCa.Thumbprint, HubAnchors.Load(_device.PreviousCaCertificate)[0].Thumbprint);

        // The hub still presents its legacy certificate: accepted under the previous anchor, which is kept.
        Assert.True(pin.Validate(legacyServer, null, "localhost"));
        Assert.False(pin.ForgetPreviousIfVerified());
        Assert.True(File.Exists(_device.PreviousCaCertificate));

        // A device certificate never passes, under either anchor.
        Assert.False(pin.Validate(Fleet.Testing.TestPki.Leaf(_deviceCa, "localhost", Fleet.Testing.TestPki.ClientAuth, "localhost"), null, "localhost"));

        // The hub presents its own identity: verified under the new anchor, the old one is forgotten for good.
        Assert.True(pin.Validate(newServer, null, "localhost"));
        Assert.True(pin.ForgetPreviousIfVerified());
        Assert.False(File.Exists(_device.PreviousCaCertificate));
        Assert.False(pin.Validate(legacyServer, null, "localhost"));

        // And after a restart.
        var reloaded = new HubAnchorPin(_device);
        reloaded.Load();
        Assert.False(reloaded.HasPrevious);
        Assert.False(reloaded.Validate(legacyServer, null, "localhost"));
    }

    [Fact]
    public void A_second_anchor_before_a_verified_connection_keeps_the_anchor_known_to_work()
    {
        var pin = new HubAnchorPin(_device);
        pin.Load();
        var second = Fleet.Testing.TestPki.Ca("Hub CA 2");
        Assert.Equal(HubAnchorVerdict.Accepted, pin.Replace(new HubAnchorUpdate(HubAnchors.ToPem([_hubCa]), HubAnchors.ToPem([Fleet.Testing.TestPki.IssueCa(_deviceCa, _hubCa)])), DateTimeOffset.UtcNow));

        Assert.Equal(HubAnchorVerdict.Accepted, pin.Replace(new HubAnchorUpdate(HubAnchors.ToPem([second]), HubAnchors.ToPem([Fleet.Testing.TestPki.IssueCa(_hubCa, second)])), DateTimeOffset.UtcNow));

        Assert.Equal(second.Thumbprint, HubAnchors.Load(_device.CaCertificate)[0].Thumbprint);
        Assert.Equal(_deviceCa.Thumbprint, HubAnchors.Load(_device.PreviousCaCertificate)[0].Thumbprint);
        Assert.True(pin.Validate(Fleet.Testing.TestPki.Leaf(_deviceCa, "hub", Fleet.Testing.TestPki.ServerAuth, "localhost"), null, "localhost"));
    }

    [Fact]
    public void The_previous_anchor_is_dropped_once_its_lifetime_has_passed_even_if_the_hub_never_moved()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var pin = new HubAnchorPin(_device, clock);
        pin.Load();
        var legacyServer = Fleet.Testing.TestPki.Leaf(_deviceCa, "hub", Fleet.Testing.TestPki.ServerAuth, "localhost");
        Assert.Equal(HubAnchorVerdict.Accepted, pin.Replace(new HubAnchorUpdate(HubAnchors.ToPem([_hubCa]), HubAnchors.ToPem([Fleet.Testing.TestPki.IssueCa(_deviceCa, _hubCa)])), clock.GetUtcNow()));
        clock.Advance(HubAnchorPin.PreviousLifetime - TimeSpan.FromDays(1));
        Assert.True(pin.Validate(legacyServer, null, "localhost"));

        clock.Advance(TimeSpan.FromDays(2));

        Assert.False(pin.Validate(legacyServer, null, "localhost"));
        Assert.False(pin.HasPrevious);
        Assert.False(File.Exists(_device.PreviousCaCertificate));
        Assert.True(pin.Validate(Fleet.Testing.TestPki.Leaf(_hubCa, "hub", Fleet.Testing.TestPki.ServerAuth, "localhost"), null, "localhost"));
    }

    [Fact]
    public void An_expired_previous_anchor_is_not_loaded_after_a_restart()
    {
        var pin = new HubAnchorPin(_device);
        pin.Load();
        Assert.Equal(HubAnchorVerdict.Accepted, pin.Replace(new HubAnchorUpdate(HubAnchors.ToPem([_hubCa]), HubAnchors.ToPem([Fleet.Testing.TestPki.IssueCa(_deviceCa, _hubCa)])), DateTimeOffset.UtcNow));

        var later = new HubAnchorPin(_device, new ManualClock(DateTimeOffset.UtcNow + HubAnchorPin.PreviousLifetime + TimeSpan.FromHours(1)));
        later.Load();

        Assert.False(later.HasPrevious);
        Assert.False(File.Exists(_device.PreviousCaCertificate));
        Assert.False(later.Validate(Fleet.Testing.TestPki.Leaf(_deviceCa, "hub", Fleet.Testing.TestPki.ServerAuth, "localhost"), null, "localhost"));
    }

    [Fact]
    public void A_refused_anchor_leaves_the_pin_and_its_files_untouched()
    {
        var pin = new HubAnchorPin(_device);
        pin.Load();
        var before = File.ReadAllText(_device.CaCertificate);
        var changed = 0;
        pin.Changed += () => changed++;

        var verdict = pin.Replace(new HubAnchorUpdate(HubAnchors.ToPem([_hubCa]), HubAnchors.ToPem([Fleet.Testing.TestPki.IssueCa(Fleet.Testing.TestPki.Ca("Stranger"), _hubCa)])), DateTimeOffset.UtcNow);

        Assert.Equal(HubAnchorVerdict.NotEndorsedByCurrentAnchor, verdict);
        Assert.Equal(0, changed);
        Assert.Equal(before, File.ReadAllText(_device.CaCertificate));
        Assert.False(File.Exists(_device.PreviousCaCertificate));
        Assert.Equal(HubAnchors.Fingerprint([_deviceCa]), pin.Fingerprint);
    }
}
