using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Fleet.Device.Link;

/// <summary>Accepts the hub only if its certificate chains to the provisioned <c>ca.crt</c> (and nothing else: the
/// system store is ignored) and names the host we dialled. Any doubt refuses the connection: a device that talks
/// to an impostor hub could be handed hostile firmware commands.</summary>
public static class HubCertificateValidator
{
    public static bool IsTrusted(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
