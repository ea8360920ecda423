using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Fleet.Device.Configuration;
using Fleet.Device.Storage;
using Fleet.Device.Update;

namespace Fleet.Device.Link;

/// <summary>Loads device.crt + device.key (PEM, ECDSA P-256), ca.crt and hub.json. Fails closed: any missing or
/// doubtful file means no connection at all, never a connection without hub verification.</summary>
public static class ProvisioningLoader
{
    public static ProvisioningProblem TryLoad(DeviceRoot root, out DeviceIdentity? identity, out string message, HubAnchorPin? anchors = null)
    {
        anchors ??= new HubAnchorPin(root);
        identity = null;
        foreach (var file in new[] { root.DeviceCertificate, root.DeviceKey, root.CaCertificate, root.HubJson })
        {
            if (!File.Exists(file))
            {
                message = $"{file} is missing; provision the device with 'fleet device provision SERIAL --output DIR' and copy DIR to {root.ProvisioningDir}";
                return ProvisioningProblem.MissingFile;
            }
        }

        var mode = File.GetUnixFileMode(root.DeviceKey);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            message = $"{root.DeviceKey} is readable by other users (mode {Convert.ToString((int)mode, 8)}); run 'chmod 600 {root.DeviceKey}'";
            return ProvisioningProblem.KeyReadableByOthers;
        }

        HubEndpoint? hub;
        try
        {
            hub = JsonSerializer.Deserialize(File.ReadAllBytes(root.HubJson), DeviceJson.Default.HubEndpoint);
        }
        catch (JsonException ex)
        {
            message = $"{root.HubJson}: {ex.Message}; expected {{\"host\":\"hub.example\",\"port\":8883}}";
            return ProvisioningProblem.InvalidHubEndpoint;
        }

        if (hub is null || string.IsNullOrWhiteSpace(hub.Host) || hub.Port is <= 0 or > 65535)
        {
            message = $"{root.HubJson}: needs a host and a port in 1..65535, e.g. {{\"host\":\"hub.example\",\"port\":8883}}";
            return ProvisioningProblem.InvalidHubEndpoint;
        }

        X509Certificate2 client;
        try
        {
            client = X509Certificate2.CreateFromPemFile(root.DeviceCertificate, root.DeviceKey);
            anchors.Load();
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException)
        {
            // ArgumentException: device.key is not the key of device.crt.
            message = $"{root.ProvisioningDir}: device.crt/device.key/ca.crt cannot be used ({ex.Message}); provision the device again";
            return ProvisioningProblem.InvalidCertificate;
        }

        var serial = client.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (string.IsNullOrWhiteSpace(serial) || serial.AsSpan().ContainsAny("/+#"))
        {
            message = $"{root.DeviceCertificate}: the certificate's CN must be the device serial (no '/', '+', '#')";
            return ProvisioningProblem.NoSerial;
        }

        identity = new DeviceIdentity(serial, client, anchors, hub);
        message = $"device {serial} -> {hub.Host}:{hub.Port}";
        return ProvisioningProblem.None;
    }
}
