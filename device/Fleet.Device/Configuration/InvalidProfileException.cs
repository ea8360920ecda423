namespace Fleet.Device.Configuration;

/// <summary>agent.json cannot be used; the message names the file, the place and what to do.</summary>
public sealed class InvalidProfileException(string message) : Exception(message);
