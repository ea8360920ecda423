namespace Fleet.Hub.Accounts;

/// <summary>Everything a user can do, from the web UI or the API. <see cref="Permissions"/> says who may.</summary>
public enum HubAction
{
    /// <summary>Every read: devices, telemetry, firmware, deployments, products, keys, trust, audit.</summary>
    ViewFleet,
    CreateProduct,
    ProvisionDevice,
    RevokeDevice,
    RebootDevice,
    IdentifyDevice,
    CancelUpdate,
    SetMaintenance,
    UploadFirmware,
    DeleteFirmware,
    CreateDeployment,
    /// <summary>An API change of a group (pause, resume, firmware, rollout settings in one request).</summary>
    ChangeDeployment,
    PauseGroup,
    ResumeGroup,
    ChangeGroupFirmware,
    ClearPenaltyBox,
    PushUpdate,
    /// <summary>Let a quarantined release be offered again.</summary>
    ClearQuarantine,
    ManageSigningKeys,
    ManageTrust,
    /// <summary>List, create, change role, disable, delete, reset passwords, create and revoke tokens.</summary>
    ManageUsers,
}
