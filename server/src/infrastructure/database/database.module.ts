import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { dataSourceOptions, ensureDatabase, openDataSource, runMigrationsExclusively } from './database.js';

/** MySQL/MariaDB through TypeORM; schema changes only by migrations, applied before the app serves. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        await ensureDatabase(config.databaseUrl);
        return { ...dataSourceOptions(config.databaseUrl), autoLoadEntities: true };
      },
      dataSourceFactory: async (options) => {
        const dataSource = await openDataSource(options!);
        await runMigrationsExclusively(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
