namespace Fleet.Protocol.Messages;

/// <summary>The trust metadata versions a device holds, reported in its status so the hub knows whether to send newer.</summary>
public sealed record TrustVersions(long Root, long Targets);
