namespace Fleet.Device.Link;

/// <summary><c>ROOT/provisioning/hub.json</c>.</summary>
public sealed record HubEndpoint(string Host, int Port = 8883);
