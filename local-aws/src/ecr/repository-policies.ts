import { ACCOUNT_ID } from "../model/account.js";
import { AwsError } from "../protocol/errors.js";
import { Fields } from "../protocol/fields.js";
import type { RepositoryRecord } from "../state/state.js";
import { readRegistryId, repositoryNameRules } from "./ecr-fields.js";

/** Get, set and delete a repository's policy (the pull grant Lightsail's puller role needs). */
export function repositoryPolicyHandlers(records: {
  repository: (name: string) => RepositoryRecord;
  save: () => void;
}): Record<string, (body: unknown) => Promise<unknown>> {
  const { repository, save } = records;
  return {
    GetRepositoryPolicy: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const name = fields.string("repositoryName", repositoryNameRules);
      const record = repository(name);
      if (!record.policyText) {
        throw new AwsError(
          "RepositoryPolicyNotFoundException",
          `Repository policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT_ID}'`,
        );
      }
      return { registryId: ACCOUNT_ID, repositoryName: name, policyText: record.policyText };
    },

    DeleteRepositoryPolicy: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const name = fields.string("repositoryName", repositoryNameRules);
      const record = repository(name);
      const policyText = record.policyText;
      if (!policyText) {
        throw new AwsError(
          "RepositoryPolicyNotFoundException",
          `Repository policy does not exist for the repository with name '${name}' in the registry with id '${ACCOUNT_ID}'`,
        );
      }
      delete record.policyText;
      save();
      return { registryId: ACCOUNT_ID, repositoryName: name, policyText };
    },

    SetRepositoryPolicy: async (body) => {
      const fields = Fields.of("ecr", body);
      readRegistryId(fields);
      const name = fields.string("repositoryName", repositoryNameRules);
      const policyText = fields.string("policyText", { required: true, min: 0, max: 10240 });
      fields.boolean("force");
      const record = repository(name);
      let policy: unknown;
      try {
        policy = JSON.parse(policyText);
      } catch {
        throw fields.fail(
          "policyText",
          policyText.slice(0, 80),
          "Invalid repository policy provided (not JSON)",
        );
      }
      const statements = (policy as { Statement?: unknown } | null)?.Statement;
      if (typeof policy !== "object" || policy === null || statements === undefined) {
        throw fields.fail(
          "policyText",
          policyText.slice(0, 80),
          "Invalid repository policy provided (no Statement)",
        );
      }
      record.policyText = policyText;
      save();
      return { registryId: ACCOUNT_ID, repositoryName: name, policyText };
    },
  };
}
