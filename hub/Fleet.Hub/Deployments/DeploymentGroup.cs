using Fleet.Hub.Firmware;
using Fleet.Hub.Products;

namespace Fleet.Hub.Deployments;

/// <summary>Which devices of a product get which firmware: devices whose tags match
/// (<see cref="TagMatch"/> all or any of <see cref="Tags"/>) and whose current version meets
/// <see cref="VersionRequirement"/>. The rollout limits live here too.</summary>
internal sealed class DeploymentGroup
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int ProductId { get; set; }
    public Product? Product { get; set; }
    public int FirmwareId { get; set; }
    public FirmwareRecord? Firmware { get; set; }
    public List<string> Tags { get; set; } = [];
    public required string TagMatch { get; set; }
    public string? VersionRequirement { get; set; }
    public int MaxConcurrent { get; set; }
    public int FailureThresholdPercent { get; set; }
    public bool Paused { get; set; }

    /// <summary>How long a device must stay connected and healthy after it committed before its update counts as a
    /// success (0: no soak, committed is success).</summary>
    public int SoakSeconds { get; set; }

    /// <summary>The daily maintenance window, <c>HH:MM-HH:MM ZONE</c> (<see cref="Rollouts.MaintenanceWindow"/>), as
    /// validated on save; null: offers start at any time.</summary>
    public string? MaintenanceWindow { get; set; }

    /// <summary>Quarantine the group's release once this many devices (any group, or a push) rolled it back or failed
    /// its soak; 0 never quarantines for this group.</summary>
    public int QuarantineAfter { get; set; } = DeploymentCatalog.DefaultQuarantineAfter;

    /// <summary>Why the orchestrator paused the group by itself (null when a person paused it or it runs).</summary>
    public string? PauseReason { get; set; }

    /// <summary>When the group was last resumed: failures before it no longer count towards the threshold.</summary>
    public DateTimeOffset? ResumedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<Release> Releases { get; set; } = [];
}
