namespace Fleet.Protocol.Messages;

/// <summary>Args of the <c>hub-anchor</c> command: the hub's new TLS trust anchor for the device to pin instead of
/// its provisioned <c>ca.crt</c> (PEM, the self-signed anchor, with the server CA after it when the anchor is an
/// intermediate of an offline root), and the endorsement: a certificate for the new anchor's key issued under the
/// anchor the device pins now (a cross-certificate, or the server CA's own certificate from the offline root).
/// Checked by <see cref="Tls.HubAnchorEndorsement"/>.</summary>
public sealed record HubAnchorUpdate(string AnchorPem, string EndorsementPem);
