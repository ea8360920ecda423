namespace Fleet.Hub.Web;

/// <summary>Everything a person can do from the web UI. <see cref="Permissions"/> says who may.</summary>
public enum HubAction
{
    PauseGroup,
    ResumeGroup,
    ChangeGroupFirmware,
    ClearPenaltyBox,
    RebootDevice,
    IdentifyDevice,
    SetMaintenance,
    UploadFirmware,
    CreateUser,
}
