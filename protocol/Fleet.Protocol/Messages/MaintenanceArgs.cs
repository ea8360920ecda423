namespace Fleet.Protocol.Messages;

public sealed record MaintenanceArgs(bool On);
