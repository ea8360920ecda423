namespace Fleet.EndToEnd.Tests;

[CollectionDefinition(Name)]
public sealed class OtaCollection : ICollectionFixture<OtaBundles>
{
    public const string Name = "ota";
}
