namespace Fleet.Hub.Api;

internal sealed record ReleaseView(string FirmwareUuid, string FirmwareVersion, string Actor, DateTimeOffset CreatedAt);
