namespace Fleet.Protocol.Messages;

/// <summary>Published on <c>fw/req</c>: which chunk indexes of firmware <see cref="Uuid"/> the device wants next.
/// The hub answers each on <c>fw/chunk/{uuid}</c> with the raw chunk bytes and a user property <c>index</c>.</summary>
public sealed record ChunkRequest(string Uuid, IReadOnlyList<int> Indexes);
