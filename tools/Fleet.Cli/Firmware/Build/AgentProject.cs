namespace Fleet.Cli.Firmware.Build;

/// <summary>Finds the agent's project file: <c>--project</c> (a .csproj or a directory holding exactly one), or
/// <c>device/Fleet.Device/Fleet.Device.csproj</c> under the first directory above the working directory that
/// holds <c>Fleet.sln</c>, so the command works from anywhere inside a checkout.</summary>
internal static class AgentProject
{
    public const string SolutionFile = "Fleet.sln";

    public static readonly string DefaultRelativePath = Path.Combine("device", "Fleet.Device", "Fleet.Device.csproj");

    public static string Locate(string? projectOption, string workingDirectory)
    {
        if (projectOption is not null)
        {
            return FromOption(Path.GetFullPath(projectOption, workingDirectory), projectOption);
        }

        for (var dir = new DirectoryInfo(workingDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                var project = Path.Combine(dir.FullName, DefaultRelativePath);
                return File.Exists(project)
                    ? project
                    : throw new CliFailure($"no agent project in {project} (found {SolutionFile} in {dir.FullName}): pass --project PATH");
            }
        }

        throw new CliFailure($"no {SolutionFile} in {workingDirectory} or above it: run 'fleet firmware build' inside a Fleet checkout or pass --project PATH to the agent's .csproj");
    }

    private static string FromOption(string full, string given)
    {
        if (File.Exists(full))
        {
            return full.EndsWith(".csproj", StringComparison.Ordinal)
                ? full
                : throw new CliFailure($"--project {given} is not a .csproj file: pass the agent's project file or its directory");
        }

        if (Directory.Exists(full))
        {
            var projects = Directory.GetFiles(full, "*.csproj");
            return projects.Length == 1
                ? projects[0]
                : throw new CliFailure($"--project {given} holds {projects.Length} .csproj files: pass the project file itself");
        }

        throw new CliFailure($"--project {given} does not exist: pass the agent's .csproj or its directory");
    }
}
