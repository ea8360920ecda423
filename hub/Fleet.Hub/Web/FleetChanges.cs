namespace Fleet.Hub.Web;

/// <summary>The in-process change feed that makes the UI live: inbound handlers publish after they have stored a
/// change, open pages subscribe and re-read what they show. Subscribers run on the publisher's thread, so they
/// must only schedule work (Blazor's <c>InvokeAsync</c>), never block.</summary>
internal sealed class FleetChanges(ILogger<FleetChanges> log)
{
    public event Action<FleetChange>? Changed;

    public void Publish(string kind, string subject)
    {
        var change = new FleetChange(kind, subject);
        foreach (var subscriber in Changed?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<FleetChange>)subscriber)(change);
            }
            catch (Exception ex)
            {
                // A broken page must not stop the device message that triggered the change.
                log.LogWarning(ex, "A change subscriber failed on {Kind} {Subject}", kind, subject);
            }
        }
    }
}
