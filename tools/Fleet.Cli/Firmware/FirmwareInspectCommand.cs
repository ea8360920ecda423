using System.CommandLine;
using System.Text.Json;
using Fleet.Protocol.Bundles;

namespace Fleet.Cli.Firmware;

internal static class FirmwareInspectCommand
{
    public static Command Build()
    {
        var bundle = new Argument<string>("FILE") { Description = "Bundle to show (.fwb); nothing is trusted or verified" };
        var json = new Option<bool>("--json") { Description = "Print JSON: {manifest, signatures, status}" };
        var cmd = new Command("inspect", "Show a bundle's manifest and signatures (use verify to check them)") { bundle, json };
        cmd.SetAction((ParseResult pr) =>
        {
            var path = pr.GetValue(bundle)!;
            if (!File.Exists(path))
            {
                throw new CliFailure($"no bundle in {path}: check the path, or create one with 'fleet firmware create'");
            }

            var result = BundleVerifier.Inspect(path);
            if (result.Manifest is not { } m)
            {
                throw new CliFailure($"cannot read the bundle ({result.Failure}) in {path}: {result.Message}", FirmwareCommands.VerificationFailedExitCode);
            }

            if (pr.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WritePropertyName("manifest");
                    using (var doc = JsonDocument.Parse(m.ToJson()))
                    {
                        doc.WriteTo(w);
                    }

                    w.WriteStartArray("signatures");
                    foreach (var s in result.Signatures)
                    {
                        w.WriteStartObject();
                        w.WriteString("keyId", s.KeyId);
                        w.WriteString("alg", s.Alg);
                        w.WriteString("sig", s.Sig);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteString("status", result.IsValid ? "readable" : result.Failure.ToString());
                    w.WriteEndObject();
                }

                stdout.Write("\n"u8);
                return 0;
            }

            Console.WriteLine($"bundle       {path}");
            Console.WriteLine($"uuid         {m.Uuid}");
            Console.WriteLine($"product      {m.Product}");
            Console.WriteLine($"version      {m.Version}{(m.AllowDowngrade ? " (allowDowngrade)" : "")}");
            Console.WriteLine($"platform     {m.Platform}/{m.Architecture}");
            Console.WriteLine($"created      {m.Created.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            Console.WriteLine($"author       {m.Author}");
            Console.WriteLine($"vcs          {m.Vcs}");
            Console.WriteLine($"description  {m.Description}");
            foreach (var (k, v) in m.Misc)
            {
                Console.WriteLine($"misc.{k,-8} {v}");
            }

            Console.WriteLine($"payload      {m.Payload.Size} bytes, {m.Payload.Chunks.Count} chunks, sha256 {m.Payload.Sha256}");
            Console.WriteLine(result.Signatures.Count == 0 ? "signatures   none (unsigned)" : $"signatures   {string.Join(", ", result.Signatures.Select(s => $"{s.KeyId} ({s.Alg})"))}");
            if (!result.IsValid)
            {
                Console.WriteLine($"problem      {result.Failure}: {result.Message}");
            }

            Console.WriteLine("(not verified: use 'fleet firmware verify FILE --public-key KEY')");
            return 0;
        });
        return cmd;
    }
}
