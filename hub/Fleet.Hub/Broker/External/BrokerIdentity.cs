namespace Fleet.Hub.Broker.External;

/// <summary>Who the hub is on an external broker. The certificate CN becomes the Mosquitto user name
/// (use_identity_as_username); '@' lies outside the serial alphabet (<see cref="Hosting.Names"/>), so no device can
/// ever be provisioned under the hub's name and inherit its ACL.</summary>
internal static class BrokerIdentity
{
    public const string HubUser = "@fleet-hub";

    /// <summary>The shared-subscription group: every hub node joins it, so each message reaches exactly one node.</summary>
    public const string ShareGroup = "fleet-hub";
}
