using System.Security.Cryptography.X509Certificates;

namespace Fleet.Device.Link;

/// <summary>Who the device is and whom it trusts, from <c>ROOT/provisioning/</c>.</summary>
public sealed record DeviceIdentity(string Serial, X509Certificate2 ClientCertificate, HubAnchorPin HubAnchors, HubEndpoint Hub);
