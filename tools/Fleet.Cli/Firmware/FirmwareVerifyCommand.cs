using System.CommandLine;
using Fleet.Cli.Keys;
using Fleet.Protocol.Bundles;
using Semver;

namespace Fleet.Cli.Firmware;

internal static class FirmwareVerifyCommand
{
    public static Command Build()
    {
        var bundle = new Argument<string>("FILE") { Description = "Bundle to verify (.fwb)" };
        var keys = new Option<string[]>("--public-key") { Description = "Trusted public key: path of a .pub PEM or a key NAME; repeat for several", Required = true };
        var product = new Option<string>("--product") { Description = "Require this product" };
        var platform = new Option<string>("--platform") { Description = "Require this platform" };
        var architecture = new Option<string>("--architecture") { Description = "Require this architecture" };
        var installed = new Option<string>("--installed-version") { Description = "Refuse versions below this one unless signed with allowDowngrade" };
        var cmd = new Command("verify", "Check a bundle's signature, manifest and every payload chunk")
        {
            bundle, keys, product, platform, architecture, installed,
        };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var path = pr.GetValue(bundle)!;
            if (!File.Exists(path))
            {
                throw new CliFailure($"no bundle in {path}: check the path, or create one with 'fleet firmware create'");
            }

            var trusted = (pr.GetValue(keys) ?? []).Select(k => KeyFiles.LoadPublic(k)).ToList();
            SemVersion? installedVersion = null;
            if (pr.GetValue(installed) is { } text && !SemVersion.TryParse(text, SemVersionStyles.Strict, out installedVersion))
            {
                throw new CliFailure($"invalid version '{text}' in --installed-version: use SemVer 2.0 such as 1.4.2");
            }

            var policy = new VerificationPolicy(trusted)
            {
                Product = pr.GetValue(product),
                Platform = pr.GetValue(platform),
                Architecture = pr.GetValue(architecture),
                InstalledVersion = installedVersion,
            };
            var size = new FileInfo(path).Length;
            var result = await ConsoleProgress.RunAsync($"verifying {Path.GetFileName(path)}", size,
                progress => BundleVerifier.VerifyFileAsync(path, policy, progress, ct));
            if (!result.IsValid)
            {
                throw new CliFailure($"verification failed ({result.Failure}) in {path}: {result.Message}", FirmwareCommands.VerificationFailedExitCode);
            }

            Console.WriteLine($"verified {path}: {result.Message}");
            return 0;
        });
        return cmd;
    }
}
