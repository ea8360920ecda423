using Fleet.Protocol.Signing;

namespace Fleet.Cli.Keys;

/// <summary>Where key files are and how a NAME or PATH given on the command line becomes a key.
/// A value with a '/' or that names an existing file is a path; otherwise it is NAME in the keys directory.</summary>
internal static class KeyFiles
{
    public const string PrivateExtension = ".key";
    public const string PublicExtension = ".pub";

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !name.StartsWith('.');

    public static string PrivatePath(string dir, string name) => Path.Combine(dir, name + PrivateExtension);

    public static string PublicPath(string dir, string name) => Path.Combine(dir, name + PublicExtension);

    public static SigningKey LoadPrivate(string nameOrPath, string? dir = null)
    {
        var path = Resolve(nameOrPath, dir ?? CliPaths.KeysDir, PrivateExtension);
        if (!File.Exists(path))
        {
            throw new CliFailure($"no private key '{nameOrPath}' in {path}: create it with 'fleet keys create {nameOrPath}' or pass the path of a PEM key file");
        }

        var pem = PrivateKeyMode.ReadKey(path);
        try
        {
            return SigningKey.FromPem(pem, path);
        }
        catch (KeyFormatException ex)
        {
            throw new CliFailure($"cannot read the private key in {path}: {ex.Message}");
        }
    }

    public static VerifyingKey LoadPublic(string nameOrPath, string? dir = null)
    {
        var path = Resolve(nameOrPath, dir ?? CliPaths.KeysDir, PublicExtension);
        if (!File.Exists(path))
        {
            throw new CliFailure($"no public key '{nameOrPath}' in {path}: pass the path of a .pub file or a key name from 'fleet keys list'");
        }

        try
        {
            return VerifyingKey.Load(path);
        }
        catch (KeyFormatException ex)
        {
            throw new CliFailure($"cannot read the public key in {path}: {ex.Message}");
        }
    }

    /// <summary>A bare <c>NAME.pub</c> (or <c>NAME.key</c>) is that file in the keys directory.</summary>
    private static string Resolve(string nameOrPath, string dir, string extension) =>
        nameOrPath.Contains('/') || File.Exists(nameOrPath) ? nameOrPath
            : nameOrPath.EndsWith(extension, StringComparison.Ordinal) ? Path.Combine(dir, nameOrPath)
            : Path.Combine(dir, nameOrPath + extension);
}
