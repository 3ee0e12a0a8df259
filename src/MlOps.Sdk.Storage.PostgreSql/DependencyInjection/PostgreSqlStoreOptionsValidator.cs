using Microsoft.Extensions.Options;

namespace MlOps.Sdk.Storage.PostgreSql.DependencyInjection;

[OptionsValidator]
internal sealed partial class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>;
