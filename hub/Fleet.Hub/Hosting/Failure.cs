namespace Fleet.Hub.Hosting;

/// <summary>A named failure at a facade boundary. <see cref="Code"/> is stable (e.g. <c>invalid_signature</c>),
/// <see cref="Message"/> is for people: what failed, on which input, what to do.</summary>
internal sealed record Failure(FailureKind Kind, string Code, string Message);
