using Semver;

namespace Fleet.Device.Update;

/// <summary>What an offered firmware must match: the device's product, platform and architecture, and (for
/// anti-downgrade) the version installed in the running slot.</summary>
public sealed record UpdateIdentity(string Product, string Platform, string Architecture, SemVersion? InstalledVersion);
