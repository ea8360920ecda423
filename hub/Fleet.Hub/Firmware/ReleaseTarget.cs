using Fleet.Protocol.Trust;

namespace Fleet.Hub.Firmware;

/// <summary>Where a release would go, as the scope check sees it, and how a refusal names it ("device tank-7 in group
/// 'field'", "every device group 'field' can reach").</summary>
internal sealed record ReleaseTarget(FirmwareScope Scope, string Where);
