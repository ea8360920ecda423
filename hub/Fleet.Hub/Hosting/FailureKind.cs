namespace Fleet.Hub.Hosting;

internal enum FailureKind
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
    Unavailable,
}
