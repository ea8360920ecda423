using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleet.Cli.Hub;

namespace Fleet.Cli.Burn;

/// <summary>Provisioning files from a directory (<c>--provisioning DIR</c>). Fails closed: every required file must
/// be there and the device certificate must name this serial, so a card never boots as another tank.</summary>
internal sealed class DirectoryProvisioningSource(string directory) : IProvisioningSource
{
    public static readonly string[] Required = ["device.crt", "device.key", "ca.crt", "hub.json"];

    public Task WriteAsync(string serial, string destination, CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            throw new CliFailure($"provisioning directory '{directory}' not found; create it with 'fleet device provision {serial} --output {directory}'");
        }

        foreach (var name in Required)
        {
            if (!File.Exists(Path.Combine(directory, name)))
            {
                throw new CliFailure($"provisioning directory '{directory}' has no {name}; create it with 'fleet device provision {serial} --output {directory}'");
            }
        }

        string? subject;
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "device.crt"));
            subject = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        }
        catch (CryptographicException ex)
        {
            throw new CliFailure($"provisioning file '{Path.Combine(directory, "device.crt")}' is not a certificate ({ex.Message}); provision the device again");
        }

        if (!string.Equals(subject, serial, StringComparison.Ordinal))
        {
            throw new CliFailure($"provisioning in '{directory}' is for device '{subject}', not '{serial}'; pass the directory made for {serial}");
        }

        Directory.CreateDirectory(destination);
        foreach (var name in Required.Append("agent.json"))
        {
            var source = Path.Combine(directory, name);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(destination, name), overwrite: true);
            }
        }

        var keys = Path.Combine(directory, "trusted-keys");
        if (Directory.Exists(keys))
        {
            var keysOut = Directory.CreateDirectory(Path.Combine(destination, "trusted-keys")).FullName;
            foreach (var key in Directory.EnumerateFiles(keys, "*.pub"))
            {
                File.Copy(key, Path.Combine(keysOut, Path.GetFileName(key)), overwrite: true);
            }
        }

        var trust = Path.Combine(directory, "trust");
        if (Directory.Exists(trust))
        {
            var trustOut = Directory.CreateDirectory(Path.Combine(destination, "trust")).FullName;
            foreach (var name in DeviceProvisioning.TrustFiles)
            {
                var source = Path.Combine(trust, name);
                if (!File.Exists(source))
                {
                    throw new CliFailure($"provisioning directory '{directory}' has trust/ without {name}; provision the device again");
                }

                File.Copy(source, Path.Combine(trustOut, name), overwrite: true);
            }
        }

        return Task.CompletedTask;
    }
}
