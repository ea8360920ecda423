namespace Fleet.Protocol.Messages;

/// <summary>Args of the <c>trust</c> command: the product's TUF metadata as exact file bytes (base64): every root
/// version in ascending order (the device skips those it has and verifies each newer one against the one before),
/// and the current targets.json. <see cref="Tags"/> and <see cref="Groups"/> are the device's current tags and
/// deployment groups, against which key scopes are checked.</summary>
public sealed record TrustUpdate(IReadOnlyList<string> RootsBase64, string TargetsBase64, IReadOnlyList<string> Tags, IReadOnlyList<string> Groups);
