namespace Fleet.Cli.Burn;

/// <summary>What <c>fleet device burn</c> was asked to do.</summary>
internal sealed record BurnRequest(string Serial, string ImagePath, string TargetPath, bool Confirmed, IBundleSource Bundle, IProvisioningSource Provisioning);
