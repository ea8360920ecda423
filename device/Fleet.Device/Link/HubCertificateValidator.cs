using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Fleet.Protocol.Tls;

namespace Fleet.Device.Link;

/// <summary>Accepts the hub only by <see cref="HubCertificatePolicy"/>: chained to the provisioned <c>ca.crt</c> (the
/// hub's anchor; the system store is ignored), serverAuth, and a subjectAltName for the host in <c>hub.json</c>. Any
/// doubt refuses the connection: a device that talks to an impostor hub could be handed hostile commands.</summary>
public static class HubCertificateValidator
{
    public static bool IsTrusted(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors, X509Certificate2 ca, string dialledHost) =>
        Check(presented, presentedChain, ca, dialledHost) == HubCertificateVerdict.Trusted;

    public static HubCertificateVerdict Check(X509Certificate? presented, X509Chain? presentedChain, X509Certificate2 ca, string dialledHost) =>
        HubCertificatePolicy.Check(presented, presentedChain, dialledHost, [ca]);
}
