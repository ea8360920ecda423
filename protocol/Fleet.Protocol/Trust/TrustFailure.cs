namespace Fleet.Protocol.Trust;

/// <summary>Why trust metadata, a firmware signer or a downgrade permit was refused (TUF's attack table, by name).</summary>
public enum TrustFailure
{
    None = 0,

    /// <summary>Not JSON, wrong shape, duplicate or missing fields, floats, oversized, or a key that is not Ed25519.</summary>
    Malformed,

    /// <summary><c>_type</c> is not the role expected here (a targets file offered as root, and so on).</summary>
    WrongType,

    /// <summary>Fewer valid signatures than the role's threshold, from keys the trusted metadata lists for it.</summary>
    ThresholdNotMet,

    /// <summary>A version lower than the one trusted (rollback), or a root that skips a version.</summary>
    VersionRollback,

    /// <summary>Same version as the one trusted, but different content (a fork).</summary>
    VersionConflict,

    /// <summary>Past its <c>expires</c> (freeze attack).</summary>
    Expired,

    /// <summary>Metadata for another product.</summary>
    WrongProduct,

    /// <summary>No key in the trusted metadata signed this firmware (unknown or revoked signer).</summary>
    UnknownSigner,

    /// <summary>The signer is trusted, but its scope does not cover this device (group and tags).</summary>
    OutOfScope,

    /// <summary>A downgrade permit that does not name this release or the version it would replace.</summary>
    PermitMismatch,

    /// <summary>The device holds no trust metadata it can read: its first root comes only with provisioning (the
    /// card or <c>fleet device provision</c>), never over the air, so the hub cannot choose whom the device trusts.</summary>
    NotProvisioned,
}
