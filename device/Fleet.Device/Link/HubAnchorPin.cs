using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleet.Device.Update;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Tls;

namespace Fleet.Device.Link;

/// <summary>The TLS anchors the agent pins for the hub: <c>ca.crt</c>, and while a new anchor from the hub
/// (<c>hub-anchor</c> command) has not yet verified a connection, the one before it (<c>ca.crt.previous</c>). The
/// hub is accepted only by <see cref="HubCertificatePolicy"/> under one of them; the previous anchor is dropped the
/// first time a connection verifies under the current one, and after <see cref="PreviousLifetime"/> at the latest
/// (the old anchor is the device CA, whose key stays on the hub: a tank must not trust what it signs for ever).
/// Files are replaced atomically; the previous one is written first, so a power cut leaves a pin that works.</summary>
public sealed class HubAnchorPin(DeviceRoot root, TimeProvider? clock = null)
{
    /// <summary>How long <c>ca.crt.previous</c> is kept at most, from when it was written: time for the hub to move
    /// every tank and restart with its own identity (docs/upgrade.md).</summary>
    public static readonly TimeSpan PreviousLifetime = TimeSpan.FromDays(90);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private X509Certificate2Collection _current = [];
    private X509Certificate2Collection? _previous;
    private bool _lastUnderCurrent;

    public X509Certificate2Collection Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public bool HasPrevious
    {
        get
        {
            lock (_gate)
            {
                return _previous is not null;
            }
        }
    }

    /// <summary>Raised after a new anchor is pinned, so the status that reports it goes out at once.</summary>
    public event Action? Changed;

    /// <summary>Fingerprint of <see cref="Current"/>, reported in the status (null until loaded).</summary>
    public string? Fingerprint { get; private set; }

    /// <summary>Reads ca.crt (and ca.crt.previous when present). Throws <see cref="CryptographicException"/> or
    /// <see cref="IOException"/> when ca.crt cannot be used; a damaged previous file is ignored.</summary>
    public void Load()
    {
        var current = HubAnchors.Load(root.CaCertificate);
        X509Certificate2Collection? previous = null;
        if (File.Exists(root.PreviousCaCertificate) && PreviousHasExpired())
        {
            File.Delete(root.PreviousCaCertificate);
        }

        if (File.Exists(root.PreviousCaCertificate))
        {
            try
            {
                previous = HubAnchors.Load(root.PreviousCaCertificate);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException)
            {
                previous = null;
            }
        }

        lock (_gate)
        {
            _current = current;
            _previous = previous;
            Fingerprint = HubAnchors.Fingerprint(current);
        }
    }

    /// <summary>The TLS callback: trusted under the current anchor, or under the previous one while it is kept.</summary>
    public bool Validate(X509Certificate? presented, X509Chain? chain, string dialledHost)
    {
        var sent = HubCertificatePolicy.Sent(chain);
        X509Certificate2Collection current;
        X509Certificate2Collection? previous;
        lock (_gate)
        {
            current = _current;
            previous = _previous;
        }

        if (HubCertificatePolicy.Check(presented, sent, dialledHost, current) == HubCertificateVerdict.Trusted)
        {
            _lastUnderCurrent = true;
            return true;
        }

        _lastUnderCurrent = false;
        if (previous is not null && PreviousHasExpired())
        {
            lock (_gate)
            {
                File.Delete(root.PreviousCaCertificate);
                _previous = null;
            }

            return false;
        }

        return previous is not null && HubCertificatePolicy.Check(presented, sent, dialledHost, previous) == HubCertificateVerdict.Trusted;
    }

    /// <summary>After a connection: if it verified under the current anchor, the previous one is no longer needed.</summary>
    public bool ForgetPreviousIfVerified()
    {
        lock (_gate)
        {
            if (!_lastUnderCurrent || _previous is null)
            {
                return false;
            }

            File.Delete(root.PreviousCaCertificate);
            _previous = null;
            return true;
        }
    }

    /// <summary>Pins the hub's new anchor when <see cref="HubAnchorEndorsement"/> accepts it; the current one becomes
    /// the previous.</summary>
    public HubAnchorVerdict Replace(HubAnchorUpdate update, DateTimeOffset now)
    {
        using var device = X509CertificateLoader.LoadCertificateFromFile(root.DeviceCertificate);
        lock (_gate)
        {
            var verdict = HubAnchorEndorsement.Check(_current, update.AnchorPem, update.EndorsementPem, device, now);
            if (verdict != HubAnchorVerdict.Accepted)
            {
                return verdict;
            }

            var proposed = HubAnchors.FromPem(update.AnchorPem);
            if (_previous is null)
            {
                WriteAtomic(root.PreviousCaCertificate, HubAnchors.ToPem(_current));
                _previous = _current;
            }

            // Else the anchor known to work is still kept: a second change before any connection verified under
            // the first one must not lose it.
            WriteAtomic(root.CaCertificate, HubAnchors.ToPem(proposed));
            _current = proposed;
            _lastUnderCurrent = false;
            Fingerprint = HubAnchors.Fingerprint(proposed);
        }

        Changed?.Invoke();
        return HubAnchorVerdict.Accepted;
    }

    private bool PreviousHasExpired() =>
        _clock.GetUtcNow() - new DateTimeOffset(File.GetLastWriteTimeUtc(root.PreviousCaCertificate), TimeSpan.Zero) > PreviousLifetime;

    private static void WriteAtomic(string path, string content)
    {
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        }))
        {
            f.Write(System.Text.Encoding.ASCII.GetBytes(content));
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }
}
