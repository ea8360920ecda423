namespace Fleet.Hub.Storage;

internal enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
