package steps

// The review of the output members the SDK marks sensitive (see
// TestSecretFieldsCoverSDK). Smithy's sensitive trait covers secrets and
// also personal data and customer content; the engine seals secrets
// only, because a sealed value is hidden from every message of the
// execution from then on (an error type such as "States.TaskFailed",
// sealed, would be *** wherever it appears). Every sensitive member is
// sealed by hand (secretFields), sealed by a rule below (the generated
// sdkSecretFields), or excluded below with its reason.
//
// A rule names operations by a path.Match pattern ("rds:*") and members
// by patterns matched against the end of the member's path, with the
// list and map steps left out ("OidcOptions.ClientSecret" matches
// VerifiedAccessTrustProviders.[].OidcOptions.ClientSecret).

// sdkSeal seals the members ops and roots match or, when leaves are
// given, those paths under each (the secret parts of a structure, list
// or map the SDK marks sensitive as a whole).
type sdkSeal struct {
	ops    string
	roots  []string
	leaves []string
}

// sdkSeals are the sensitive members that are secrets: credentials,
// passwords, keys, tokens, presigned URLs and configurations that
// embed keys, and environment variables (where secrets are commonly
// kept, though AWS advises otherwise).
var sdkSeals = []sdkSeal{
	{ops: "codebuild:StartSandboxConnection", roots: []string{"SsmSession.TokenValue"}},
	{ops: "connect:GetFederationToken", roots: []string{"Credentials"}, leaves: []string{"AccessToken", "RefreshToken"}},
	{ops: "connect:StartWebRTCContact", roots: []string{"JoinToken"}},
	{ops: "directoryservice:*", roots: []string{"RadiusSettings.SharedSecret"}},
	{ops: "ec2:CreateKeyPair", roots: []string{"KeyMaterial"}},
	{ops: "ec2:GetPasswordData", roots: []string{"PasswordData"}}, // encrypted, with the key pair's key
	{ops: "ec2:*", roots: []string{"OidcOptions.ClientSecret", "UserTrustProvider.ClientSecret", "UploadPolicySignature", "UserData",
		"CustomerGatewayConfiguration", "PreSharedKey", "VpnConnectionDeviceSampleConfiguration", // hold the tunnels' keys
		"ImportManifestUrl", "SnapshotDetails.Url", "SnapshotTaskDetail.Url"}}, // presigned URLs
	{ops: "ecs:*", roots: []string{"Environment"}, leaves: []string{"[].Value"}},
	{ops: "ecs:ExecuteCommand", roots: []string{"Session.TokenValue"}},
	{ops: "emr:*", roots: []string{"Credentials.UsernamePassword"}, leaves: []string{"Password"}},
	{ops: "emr:GetSessionEndpoint", roots: []string{"AuthToken"}},
	{ops: "eventbridge:DescribeConnection", roots: []string{"*Parameters.Value"}}, // a connection's auth parameters
	{ops: "fsx:*", roots: []string{"FsxAdminPassword"}},
	{ops: "glue:GetDashboardUrl", roots: []string{"Url"}}, // signed in
	{ops: "glue:GetSessionEndpoint", roots: []string{"SparkConnect.AuthToken"}},
	{ops: "iam:*", roots: []string{"ServicePassword", "ServiceCredentialSecret", "Base32StringSeed", "QRCodePNG"}}, // QRCodePNG: the MFA seed as an image
	{ops: "kms:*", roots: []string{"SharedSecret"}},
	{ops: "lambda:*", roots: []string{"Environment.Variables"}, leaves: []string{"{}"}},
	{ops: "mwaa:CreateCliToken", roots: []string{"CliToken"}},
	{ops: "mwaa:CreateWebLoginToken", roots: []string{"WebToken"}},
	{ops: "mwaa:GetEnvironment", roots: []string{"AirflowConfigurationOptions"}, leaves: []string{"{}"}},
	{ops: "rds:*", roots: []string{"PendingModifiedValues.MasterUserPassword", "OptionSettings.Value"}},
	{ops: "redshift:*", roots: []string{"PendingModifiedValues.MasterUserPassword", "DbPassword"}},
	{ops: "redshift:GetIdentityCenterAuthToken", roots: []string{"Token"}},
	{ops: "s3:CreateSession", roots: []string{"Credentials.SecretAccessKey", "Credentials.SessionToken"}},
	{ops: "s3control:GetDataAccess", roots: []string{"Credentials"}, leaves: []string{"SecretAccessKey", "SessionToken"}},
	{ops: "secretsmanager:GetRandomPassword", roots: []string{"RandomPassword"}},
	{ops: "ssm:GetAccessToken", roots: []string{"Credentials.SecretAccessKey", "Credentials.SessionToken"}},
	{ops: "ssm:*PatchBaseline", roots: []string{"Sources.Configuration"}}, // a yum repository's, may hold credentials
	{ops: "sts:GetWebIdentityToken", roots: []string{"WebIdentityToken"}},
}

// sdkExclusion leaves the members ops and roots match unsealed, for why.
type sdkExclusion struct {
	ops   string
	roots []string
	why   string
}

// sdkExclusions are the sensitive members reviewed and left unsealed.
var sdkExclusions = []sdkExclusion{
	{"backup:*", []string{"*Metadata*", "*Tags"}, "resource metadata and tags"},
	{"codebuild:*", []string{"Environment.RegistryCredential"}, "the name or ARN of a secret, and who holds it"},
	{"connect:*", []string{"View.*", "ViewsSummaryList.Name", "ViewVersionSummaryList.Name", "Contact.Name", "Contact.Description", "InstanceAlias"},
		"names, descriptions and UI views: the customer's content"},
	{"connect:*", []string{"IdentityInfo.*"}, "agents' names and emails: personal data"},
	{"directoryservice:*", []string{"ShareNotes"}, "a free-text note"},
	{"ec2:GetInstanceTpmEkPub", []string{"KeyValue"}, "a public key"},
	{"ec2:*", []string{"SqlServerCredentials"}, "the ARN of a secret, not the secret"},
	{"ec2:ExportVerifiedAccessInstanceClientConfiguration", []string{"TokenEndpoint"}, "the URL of an OIDC token endpoint"},
	{"ecs:*", []string{"RepositoryCredentials"}, "the ARN of a secret (CredentialsParameter), not the secret"},
	{"eventbridge:ListTargetsByRule", []string{"GraphQLOperation", "Sql", "Sqls"}, "queries a target runs: customer content"},
	{"firehose:DescribeDeliveryStream", []string{"*Url", "AttributeName", "AttributeValue", "User", "Username", "Database", "Schema", "Table", "*ColumnName", "SnowflakeRole", "PrivateLinkVpceId"},
		"a destination's identifiers and attributes; its passwords and keys are never returned"},
	{"glue:*", []string{"CodeGenConfigurationNodes"}, "a job's visual graph: its nodes' settings"},
	{"glue:*DataQuality*", []string{"Description", "EvaluatedDistributions", "EvaluatedMetrics", "EvaluatedRule", "EvaluationMessage", "RuleMetrics", "StatisticProperties"},
		"data quality results: rules, metrics and messages about the customer's data"},
	{"glue:GetEntityRecords", []string{"Records"}, "the customer's records, which the call is made to read"},
	{"guardduty:*", []string{"*IpAddress*", "Email"}, "IP addresses and members' emails: personal data"},
	{"identitystore:*", []string{"*"}, "users' and groups' attributes (names, addresses, emails, phones): personal data; the store holds no credentials"},
	{"kms:GetParametersForImport", []string{"PublicKey"}, "a public key"},
	{"kms:DescribeCustomKeyStores", []string{"XksProxyConfiguration.AccessKeyId"}, "an access key's id; its secret is never returned"},
	{"lambda:*", []string{"Error.Message", "ErrorData", "ErrorMessage", "ErrorType", "StackTrace"}, "errors of functions and of their configuration"},
	{"lambda:*", []string{"Payload", "InputPayload", "Result"}, "what a function or a durable execution returned or was given: the customer's data, which runbooks read"},
	{"rds:*", []string{"ConnectionPoolConfig.InitQuery"}, "SQL a proxy runs on new connections; the proxy's credentials are in Secrets Manager"},
	{"rds:DownloadDBLogFilePortion", []string{"LogFileData"}, "the log text, which the call is made to read"},
	{"s3:*", []string{"SSEKMSKeyId", "KMSMasterKeyID", "SSEKMS.KeyId", "SSEKMSEncryptionContext"}, "KMS key identifiers and encryption contexts: they name a key, they grant nothing"},
	{"sagemaker:*", []string{"Content", "ModelCardContent"}, "model cards: the customer's documents"},
	{"sesv2:*", []string{"*EmailAddress*", "Destination", "Subject", "UseCaseDescription", "WebsiteURL"}, "email addresses, subjects and account details: personal data"},
	{"sfn:*", []string{"Input", "Output", "Error", "Cause", "Definition", "Description", "RedriveStatusReason", "Parameters", "InspectionData"},
		"executions' data and errors, state machines' definitions: what runbooks inspect (sealed, an error name would be *** in every message)"},
	{"sns:*", []string{"PhoneNumber", "PhoneNumbers"}, "phone numbers: personal data"},
	{"ssm:*", []string{"Parameters", "TaskParameters", "OwnerInformation", "Description", "IPAddress", "IpAddress", "Payload", "Input"},
		"command and task parameters, descriptions, owners' notes, IP addresses; a secret belongs in a SecureString parameter, sealed when read"},
	{"xray:StartTraceRetrieval", []string{"RetrievalToken"}, "the id of a trace retrieval, which later calls name"},
}
