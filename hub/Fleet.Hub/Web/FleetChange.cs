namespace Fleet.Hub.Web;

/// <summary>Something changed: <see cref="Kind"/> is a device message kind (<c>status</c>, <c>events</c>,
/// <c>telemetry</c>), <c>presence</c>, or <c>deployment</c>; <see cref="Subject"/> the serial or group name.</summary>
internal sealed record FleetChange(string Kind, string Subject);
