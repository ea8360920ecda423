using System.Security.Cryptography.X509Certificates;

namespace Fleet.Hub.Pki;

internal static class DistinguishedNames
{
    /// <summary>The value of the one CN in <paramref name="name"/>, or null when there is none or several.</summary>
    public static string? GetSingleCommonName(this X500DistinguishedName name)
    {
        var cns = name.EnumerateRelativeDistinguishedNames().Where(r => r.GetSingleElementType().Value == "2.5.4.3").Select(r => r.GetSingleElementValue()).ToList();
        return cns.Count == 1 ? cns[0] : null;
    }
}
