using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Places;

internal static class BuildingModelServiceCollectionExtensions
{
    /// <summary>
    /// The building model from <c>Buildings:Path</c> (validated options; the file loaded when the host is built, so a
    /// broken model stops the start) as <see cref="IBuildingModelSource"/> and <see cref="BuildingModelFile"/>, reloaded
    /// on change while the host runs.
    /// </summary>
    public static IServiceCollection AddBuildingModel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BuildingsOptions>().Bind(configuration.GetSection(BuildingsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BuildingsOptions>, BuildingsOptionsValidator>();
        var initial = BuildingModelFile.LoadInitial(configuration.GetSection(BuildingsOptions.SectionName).Get<BuildingsOptions>() ?? new BuildingsOptions());
        services.AddSingleton(sp => new BuildingModelFile(initial, sp.GetRequiredService<IOptions<BuildingsOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BuildingModelFile>>()));
        services.AddSingleton<IBuildingModelSource>(sp => sp.GetRequiredService<BuildingModelFile>());
        services.AddHostedService(sp => sp.GetRequiredService<BuildingModelFile>());
        return services;
    }
}
