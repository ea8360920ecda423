using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Fleet.Cli.Trust;

namespace Fleet.Cli.Hub;

/// <summary>Registers a device with the hub and writes its provisioning folder (device.crt, device.key, ca.crt,
/// hub.json, trusted-keys/, and trust/ when the product has TUF metadata, its root checked against the operator's own trust first): the work of <c>fleet device provision</c>, shared with <c>fleet device burn</c>.
/// The private key is generated here and never leaves this machine; only a CSR goes to the hub.</summary>
internal static class DeviceProvisioning
{
    /// <summary>The files of <c>provisioning/trust/</c>, named as the agent's <c>DeviceTrust</c> reads them.</summary>
    public static readonly string[] TrustFiles = ["root.json", "targets.json", "membership.json"];

    /// <param name="trustRootSha256">The operator's pin of the product's root (<c>--trust-root-sha256</c>), for a machine
    /// without the product's trust copy; see <see cref="TrustAnchor"/>.</param>
    public static async Task<ProvisionedDevice> ProvisionAsync(HubClient hub, string serial, string product, IReadOnlyList<string> tags, string dir, string? trustRootSha256, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(dir, "device.key")) || File.Exists(Path.Combine(dir, "device.crt")))
        {
            throw new CliFailure($"{dir} holds a provisioned device already (device.key/device.crt); pick an empty --output directory");
        }

        // The device's first root is checked before the hub registers the device, so a refusal leaves nothing behind.
        var trust = await CheckTrustAsync(hub, serial, product, trustRootSha256, ct);
        Directory.CreateDirectory(dir);
        // The private key is written (0600) before the hub registers the device, so a registered device never
        // lacks its key.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pendingKey = Path.Combine(dir, $".device.key.{Guid.NewGuid():N}.tmp");
        WriteFile(pendingKey, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
        JsonNode? provisioned;
        try
        {
            var csr = new CertificateRequest($"CN={serial}", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
            var body = new JsonObject { ["serial"] = serial, ["product"] = product, ["tags"] = HubOutput.Strings([.. tags]), ["csr"] = csr };
            provisioned = await hub.PostAsync("/api/v1/devices", body, $"provision device '{serial}'", ct);
        }
        catch
        {
            File.Delete(pendingKey);
            throw;
        }

        File.Move(pendingKey, Path.Combine(dir, "device.key"));
        WriteFile(Path.Combine(dir, "device.crt"), HubOutput.S(provisioned, "certificatePem"), secret: false);
        WriteFile(Path.Combine(dir, "ca.crt"), HubOutput.S(provisioned, "caCertificatePem"), secret: false);
        var mqttHost = HubOutput.S(provisioned, "mqttHost");
        var mqttPort = HubOutput.S(provisioned, "mqttPort");
        var hubJson = new JsonObject { ["host"] = mqttHost, ["port"] = int.Parse(mqttPort, System.Globalization.CultureInfo.InvariantCulture) };
        WriteFile(Path.Combine(dir, "hub.json"), HubClient.Pretty(hubJson) + "\n", secret: false);
        var trusted = Path.Combine(dir, "trusted-keys");
        Directory.CreateDirectory(trusted);
        var keys = HubOutput.Items(provisioned?["trustedKeys"]).ToList();
        foreach (var k in keys)
        {
            var keyName = HubOutput.S(k, "name");
            if (!Keys.KeyFiles.IsValidName(keyName))
            {
                throw new CliFailure($"the hub named a trusted key '{keyName}', which is not a key name (letters, digits, '-', '_', '.'); device '{serial}' is registered but its folder {dir} is incomplete: revoke it and check the hub");
            }

            WriteFile(Path.Combine(trusted, keyName + ".pub"), HubOutput.S(k, "publicKeyPem"), secret: false);
        }

        if (trust is { } t)
        {
            // The files checked above, not the provisioning answer's trustRoot/trustTargets; and the tags the operator
            // asked for, not whatever the hub answered: tag scopes rest on provisioning.
            WriteTrust(dir, t.Root, t.Targets, [.. tags.Distinct()]);
        }

        return new ProvisionedDevice(mqttHost, mqttPort, keys.Count, trust is not null);
    }

    /// <summary>The product's latest root.json and targets.json (null while the product has no TUF metadata), read from
    /// the hub and refused unless the root is anchored in the operator's own trust (<see cref="TrustAnchor"/>: the
    /// local trust copy, or the pinned hash) and both load as the agent will load them, so a device is never anchored on
    /// a root the hub chose, nor given metadata that would make it trust nothing.</summary>
    private static async Task<(byte[] Root, byte[] Targets)?> CheckTrustAsync(HubClient hub, string serial, string product, string? trustRootSha256, CancellationToken ct)
    {
        var notRegistered = $"device '{serial}' was not registered";
        var state = await HubTrust.FetchAsync(hub, product, ct);
        TrustAnchor.Check(state, new LocalTrustCopy(CliPaths.TrustDir(product)), trustRootSha256, notRegistered);
        if (state.Root is null)
        {
            return null;
        }

        try
        {
            state.RequireCurrentTargets();
        }
        catch (CliFailure stale)
        {
            throw new CliFailure($"{notRegistered}: {stale.Message}");
        }

        if (state.TargetsFile is null)
        {
            throw new CliFailure($"product '{product}' has root v{state.Root.Version} but no targets.json on the hub, so {notRegistered}; " +
                $"sign targets with 'fleet trust add-key --product {product} --key NAME --scope SCOPE' (or 'fleet trust renew --product {product}')");
        }

        var root = state.RootFiles[^1];
        var loaded = Fleet.Protocol.Trust.TrustedMetadata.Load(root, state.TargetsFile);
        if (!loaded.IsValid || loaded.Value!.Product != product)
        {
            throw new CliFailure($"the hub's trust metadata for '{product}' does not load as a device loads it " +
                $"({(loaded.IsValid ? "product " + loaded.Value!.Product : loaded.Failure + ": " + loaded.Message)}), so {notRegistered}; " +
                $"check it with 'fleet trust show --product {product}' and sign it anew (e.g. 'fleet trust renew --product {product}')");
        }

        return (root, state.TargetsFile);
    }

    /// <summary>Writes trust/ whole or not at all: the files go into a hidden temp directory first, which is renamed
    /// into place (a partial trust/ would make the agent trust nothing, since it never falls back once trust/ exists).</summary>
    private static void WriteTrust(string dir, byte[] root, byte[] targets, IReadOnlyList<string> tags)
    {
        var temp = Path.Combine(dir, $".trust.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            var membership = new JsonObject { ["tags"] = HubOutput.Strings(tags), ["groups"] = new JsonArray() };
            Fleet.Protocol.Files.AtomicFile.Write(Path.Combine(temp, TrustFiles[0]), root, Fleet.Protocol.Files.AtomicFile.PublicMode);
            Fleet.Protocol.Files.AtomicFile.Write(Path.Combine(temp, TrustFiles[1]), targets, Fleet.Protocol.Files.AtomicFile.PublicMode);
            Fleet.Protocol.Files.AtomicFile.Write(Path.Combine(temp, TrustFiles[2]), System.Text.Encoding.UTF8.GetBytes(membership.ToJsonString()), Fleet.Protocol.Files.AtomicFile.PublicMode);
            Directory.Move(temp, Path.Combine(dir, "trust"));
            Fleet.Protocol.Files.DirectorySync.Flush(dir);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    private static void WriteFile(string path, string content, bool secret)
    {
        var mode = secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        using var f = File.Open(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        using var w = new StreamWriter(f);
        w.Write(content);
    }
}
