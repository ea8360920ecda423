using System.CommandLine;
using Fleet.Cli.Keys;
using Fleet.Protocol.Bundles;

namespace Fleet.Cli.Firmware;

internal static class FirmwareSignCommand
{
    public static Command Build()
    {
        var bundle = new Argument<string>("FILE") { Description = "Bundle to sign (.fwb); rewritten in place, atomically" };
        var key = new Option<string>("--key") { Description = "Key NAME (in the keys directory) or path of a PKCS#8 PEM private key", Required = true };
        var cmd = new Command("sign", "Add a signature to a bundle (replaces an earlier one by the same key)") { bundle, key };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var path = pr.GetValue(bundle)!;
            if (!File.Exists(path))
            {
                throw new CliFailure($"no bundle in {path}: create one with 'fleet firmware create'");
            }

            var signingKey = KeyFiles.LoadPrivate(pr.GetValue(key)!);
            IReadOnlyList<BundleSignature> signatures;
            try
            {
                signatures = await ConsoleProgress.RunAsync($"signing {Path.GetFileName(path)}", new FileInfo(path).Length,
                    progress => BundleWriter.SignAsync(path, signingKey, progress, ct));
            }
            catch (BundleFormatException ex)
            {
                throw new CliFailure($"cannot sign: {ex.Failure} in {path}: {ex.Message}; the file was not changed");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliFailure($"cannot sign {path}: {ex.Message}; the file was not changed");
            }

            Console.WriteLine($"signed {path} with key {signingKey.KeyId} ({signatures.Count} signature{(signatures.Count == 1 ? "" : "s")}: {string.Join(", ", signatures.Select(s => s.KeyId))})");
            return 0;
        });
        return cmd;
    }
}
