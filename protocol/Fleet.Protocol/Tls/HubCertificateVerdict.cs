namespace Fleet.Protocol.Tls;

/// <summary>Why a client refused the hub's certificate; <see cref="Trusted"/> when it accepted it.</summary>
public enum HubCertificateVerdict
{
    Trusted = 0,

    /// <summary>The server sent no certificate.</summary>
    NoCertificate,

    /// <summary>The certificate does not chain to the pinned hub anchor (the system store is never consulted).</summary>
    UntrustedChain,

    /// <summary>The leaf is not meant for a TLS server: no serverAuth in its extended key usage (a device certificate).</summary>
    NotServerAuth,

    /// <summary>No subjectAltName names the address that was dialled (the CN is never consulted).</summary>
    NameMismatch,
}
