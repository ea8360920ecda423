namespace Fleet.Protocol.Messages;

public static class CommandNames
{
    public const string Update = "update";
    public const string Reboot = "reboot";
    public const string Identify = "identify";
    public const string Config = "config";
    public const string CancelUpdate = "cancel-update";
    public const string Maintenance = "maintenance";
    public const string Trust = "trust";
    public const string HubAnchor = "hub-anchor";
}
