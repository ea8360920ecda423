using System.CommandLine;
using Fleet.Protocol.Bundles;
using Semver;

namespace Fleet.Cli.Firmware;

internal static class FirmwareCreateCommand
{
    public static Command Build()
    {
        var product = new Option<string>("--product") { Description = "Product name, e.g. algae-tank", Required = true };
        var version = new Option<string>("--version") { Description = "SemVer 2.0 version, e.g. 1.4.2", Required = true };
        var platform = new Option<string>("--platform") { Description = "rpi3, rpi4, rpi5 or sim", Required = true };
        var architecture = new Option<string>("--architecture") { Description = "arm64, arm or x64", Required = true };
        var payload = new Option<string>("--payload") { Description = "Directory (packed as a tar) or file", Required = true };
        var output = new Option<string>("--output") { Description = "Bundle file to write (.fwb)", Required = true };
        var author = new Option<string>("--author") { Description = "Who made it" };
        var vcs = new Option<string>("--vcs") { Description = "Source revision, e.g. a git commit" };
        var description = new Option<string>("--description") { Description = "Release notes, one line" };
        var allowDowngrade = new Option<bool>("--allow-downgrade") { Description = "Let devices with a newer version install this one (a deliberate rollback)" };
        var cmd = new Command("create", "Create an unsigned bundle from a directory or file")
        {
            product, version, platform, architecture, payload, output, author, vcs, description, allowDowngrade,
        };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var outputPath = pr.GetValue(output)!;
            var payloadPath = pr.GetValue(payload)!;
            var versionText = pr.GetValue(version)!;
            if (!SemVersion.TryParse(versionText, SemVersionStyles.Strict, out var semver))
            {
                throw new CliFailure($"invalid version '{versionText}' in --version: use SemVer 2.0 such as 1.4.2 or 2.0.0-rc.1");
            }

            foreach (var (name, value) in new[] { ("--product", pr.GetValue(product)!), ("--platform", pr.GetValue(platform)!), ("--architecture", pr.GetValue(architecture)!) })
            {
                if (!Manifest.IsValidName(value))
                {
                    throw new CliFailure($"invalid value '{value}' in {name}: use 1-64 letters, digits, '-', '_' or '.'");
                }
            }

            if (!Directory.Exists(payloadPath) && !File.Exists(payloadPath))
            {
                throw new CliFailure($"payload not found in {payloadPath}: pass an existing directory or file to --payload");
            }

            var outputDir = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
            if (!Directory.Exists(outputDir))
            {
                throw new CliFailure($"cannot write {outputPath}: directory {outputDir} does not exist; create it first");
            }

            var spec = new BundleSpec
            {
                Product = pr.GetValue(product)!,
                Version = semver,
                Platform = pr.GetValue(platform)!,
                Architecture = pr.GetValue(architecture)!,
                Author = pr.GetValue(author) ?? "",
                Vcs = pr.GetValue(vcs) ?? "",
                Description = pr.GetValue(description) ?? "",
                AllowDowngrade = pr.GetValue(allowDowngrade),
            };

            Manifest manifest;
            try
            {
                manifest = await ConsoleProgress.RunAsync($"creating {Path.GetFileName(outputPath)}", BundleWriter.EstimatePayloadSize(payloadPath),
                    progress => BundleWriter.CreateAsync(spec, payloadPath, outputPath, progress, ct));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BundleFormatException)
            {
                throw new CliFailure($"creating the bundle failed in {outputPath}: {ex.Message}; nothing was written");
            }

            Console.WriteLine($"created {outputPath}: {manifest.Product} {manifest.Version} for {manifest.Platform}/{manifest.Architecture}");
            Console.WriteLine($"  uuid {manifest.Uuid}, payload {manifest.Payload.Size} bytes in {manifest.Payload.Chunks.Count} chunks");
            Console.WriteLine($"  unsigned: sign it with 'fleet firmware sign {outputPath} --key NAME'");
            return 0;
        });
        return cmd;
    }
}
