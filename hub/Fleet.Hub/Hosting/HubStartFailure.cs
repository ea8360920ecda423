namespace Fleet.Hub.Hosting;

/// <summary>The hub cannot start with what it was given; Program prints the message and exits 2.</summary>
internal sealed class HubStartFailure(string message) : Exception(message);
