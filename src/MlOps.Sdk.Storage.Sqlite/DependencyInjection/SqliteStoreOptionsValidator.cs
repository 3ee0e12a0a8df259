using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Storage.Sqlite.DependencyInjection;

[OptionsValidator]
internal sealed partial class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>;
