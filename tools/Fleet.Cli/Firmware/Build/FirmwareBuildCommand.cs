using System.CommandLine;
using Fleet.Cli.Keys;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Semver;

namespace Fleet.Cli.Firmware.Build;

/// <summary><c>fleet firmware build</c>: publish the agent for a platform and package it as a bundle, signed when
/// a key is given. The counterpart of Nerves' <c>mix firmware</c>.</summary>
internal static class FirmwareBuildCommand
{
    public const string DefaultProduct = "algae-tank";

    public static Command Build()
    {
        var platform = new Option<string>("--platform") { Description = "rpi3, rpi4, rpi5 (self-contained agent) or sim (framework-dependent, run with dotnet)", Required = true };
        var architecture = new Option<string>("--architecture") { Description = "arm64 or arm for a Pi; x64 or arm64 for sim", Required = true };
        var version = new Option<string>("--version") { Description = "SemVer 2.0 version stamped into the agent and the manifest, e.g. 1.4.2 or 2.0.0-rc.1", Required = true };
        var output = new Option<string>("--output") { Description = "Bundle file to write (.fwb)", Required = true };
        var key = new Option<string>("--key") { Description = "Sign with this key NAME (in the keys directory) or PKCS#8 PEM path" };
        var product = new Option<string>("--product") { Description = "Product name", DefaultValueFactory = _ => DefaultProduct };
        var project = new Option<string>("--project") { Description = "Agent .csproj or its directory (default: device/Fleet.Device under the Fleet.sln above the working directory)" };
        var author = new Option<string>("--author") { Description = "Who made it" };
        var vcs = new Option<string>("--vcs") { Description = "Source revision (default: the git commit of the project, +dirty with local changes)" };
        var description = new Option<string>("--description") { Description = "Release notes, one line" };
        var cmd = new Command("build", "Publish the agent for a platform and package it as a bundle (signed with --key)")
        {
            platform, architecture, version, output, key, product, project, author, vcs, description,
        };
        cmd.SetAction(async (ParseResult pr, CancellationToken ct) =>
        {
            var request = Validate(pr.GetValue(platform)!, pr.GetValue(architecture)!, pr.GetValue(version)!, pr.GetValue(product)!, pr.GetValue(output)!);
            var projectPath = AgentProject.Locate(pr.GetValue(project), Environment.CurrentDirectory);
            // Load the key first: a typo in --key should not cost a whole publish.
            var signingKey = pr.GetValue(key) is { } keyName ? KeyFiles.LoadPrivate(keyName) : null;
            var vcsText = pr.GetValue(vcs) ?? await SourceRevision.DescribeAsync(Path.GetDirectoryName(projectPath)!, ct);

            var work = Directory.CreateTempSubdirectory("fleet-build-");
            var keepLog = false;
            try
            {
                var publishDir = Path.Combine(work.FullName, "publish");
                var stamp = VersionStamp.Properties(request.Version);
                var published = await ConsoleProgress.RunAsync($"publishing {Path.GetFileName(projectPath)} for {request.Target.RuntimeIdentifier}",
                    AgentPublisher.ProgressSteps,
                    progress => AgentPublisher.PublishAsync(projectPath, request.Target, stamp, publishDir, Path.Combine(work.FullName, "artifacts"), progress, ct));
                if (!published.Succeeded)
                {
                    var logPath = Path.Combine(work.FullName, "publish.log");
                    await File.WriteAllTextAsync(logPath, published.Log, ct);
                    keepLog = true;
                    throw new CliFailure(published.Describe(projectPath, request.Target.RuntimeIdentifier, logPath));
                }

                var spec = new BundleSpec
                {
                    Product = request.Product,
                    Version = request.Version,
                    Platform = request.Target.Platform,
                    Architecture = request.Target.Architecture,
                    Author = pr.GetValue(author) ?? "",
                    Vcs = vcsText,
                    Description = pr.GetValue(description) ?? "",
                    Misc = new Dictionary<string, string>
                    {
                        ["runtime"] = request.Target.RuntimeIdentifier,
                        ["selfContained"] = request.Target.SelfContained ? "true" : "false",
                    },
                };
                var manifest = await Package(spec, publishDir, request.Output, signingKey, ct);
                Report(request, manifest, signingKey);
                return 0;
            }
            finally
            {
                Clean(work, keepLog);
            }
        });
        return cmd;
    }

    private static BuildRequest Validate(string platform, string architecture, string versionText, string product, string output)
    {
        if (!SemVersion.TryParse(versionText, SemVersionStyles.Strict, out var semver))
        {
            throw new CliFailure($"invalid version '{versionText}' in --version: use SemVer 2.0 such as 1.4.2 or 2.0.0-rc.1");
        }

        if (!Manifest.IsValidName(product))
        {
            throw new CliFailure($"invalid value '{product}' in --product: use 1-64 letters, digits, '-', '_' or '.'");
        }

        var target = BuildTarget.TryResolve(platform, architecture, out var problem) ?? throw new CliFailure(problem);
        var outputDir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(outputDir))
        {
            throw new CliFailure($"cannot write {output}: directory {outputDir} does not exist; create it first");
        }

        return new BuildRequest(target, semver, product, output);
    }

    private static async Task<Manifest> Package(BundleSpec spec, string publishDir, string output, SigningKey? signingKey, CancellationToken ct)
    {
        try
        {
            var manifest = await ConsoleProgress.RunAsync($"packaging {Path.GetFileName(output)}", BundleWriter.EstimatePayloadSize(publishDir),
                progress => BundleWriter.CreateAsync(spec, publishDir, output, progress, ct));
            if (signingKey is not null)
            {
                await ConsoleProgress.RunAsync($"signing {Path.GetFileName(output)}", new FileInfo(output).Length,
                    progress => BundleWriter.SignAsync(output, signingKey, progress, ct));
            }

            return manifest;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or BundleFormatException)
        {
            throw new CliFailure($"packaging the agent into {output} failed: {ex.Message}");
        }
    }

    private static void Report(BuildRequest request, Manifest manifest, SigningKey? signingKey)
    {
        var kind = request.Target.SelfContained ? "self-contained" : "framework-dependent, runs with dotnet";
        Console.WriteLine($"built {request.Output}: {manifest.Product} {manifest.Version} for {manifest.Platform}/{manifest.Architecture} ({request.Target.RuntimeIdentifier}, {kind})");
        Console.WriteLine($"  uuid {manifest.Uuid}, payload {manifest.Payload.Size} bytes in {manifest.Payload.Chunks.Count} chunks");
        Console.WriteLine(signingKey is not null
            ? $"  signed with key {signingKey.KeyId}"
            : $"  unsigned: sign it with 'fleet firmware sign {request.Output} --key NAME'");
    }

    /// <summary>Removes the publish and build folders; after a failed publish only its log is kept, for the user to read.</summary>
    private static void Clean(DirectoryInfo work, bool keepLog)
    {
        try
        {
            if (!keepLog)
            {
                work.Delete(recursive: true);
                return;
            }

            foreach (var dir in work.EnumerateDirectories())
            {
                dir.Delete(recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leftovers in the temp folder are harmless; the bundle (or the failure) is what matters.
        }
    }

    private sealed record BuildRequest(BuildTarget Target, SemVersion Version, string Product, string Output);
}
