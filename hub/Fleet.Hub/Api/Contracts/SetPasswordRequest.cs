namespace Fleet.Hub.Api;

/// <summary>A new web UI password; none: the hub generates one and answers it, once.</summary>
internal sealed record SetPasswordRequest(string? Password = null);

/// <summary>The answer to a password change: the generated password, or null when the caller chose it.</summary>
internal sealed record PasswordView(string? Password);
