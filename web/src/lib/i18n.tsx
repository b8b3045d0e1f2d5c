import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from './format';

const en = {
  app: 'Corrente', dashboard: 'Dashboard', materials: 'Materials', forecasts: 'Forecasts', inventory: 'Inventory',
  recommendations: 'Recommendations', alerts: 'Alerts', admin: 'Admin', logout: 'Sign out', login: 'Sign in',
  username: 'Username', password: 'Password', signingIn: 'Signing in…', loginTitle: 'Sign in to Corrente',
  sessionExpired: 'Your session ended. Sign in again to continue.', language: 'Language',
  loading: 'Loading…', empty: 'Nothing to show.', error: 'Something went wrong', retry: 'Try again',
  forbidden: 'You do not have permission for this.', notFound: 'Page not found.',
  stockoutRate: 'Stockout rate', forecastMape: 'Forecast MAPE', delayedOrders: 'Delayed orders', inventoryValue: 'Inventory value', avgInventoryValue: 'Avg stock value per item × site',
  vsPrevious: 'vs. 30 days before', noPrevious: 'no earlier value', demand90: 'Demand, last 90 days: actual vs forecast',
  actual: 'Actual', forecast: 'Forecast', band80: '80% band', band95: '95% band', today: 'today',
  topAlerts: 'Critical alerts with the most at stake', criticalRecs: 'Recommendations with the most at stake', item: 'Item', site: 'Site', allSites: 'All sites', allItemsTotal: 'All items (total)', bandIsSum: 'Every item summed. The band adds up the items\u2019 80% bounds, so it is wider than the total\u2019s own interval.',
  family: 'Family', abcClass: 'ABC class', search: 'Search', all: 'All', sku: 'SKU', name: 'Name', category: 'Category',
  criticality: 'Criticality', risk: 'Risk', daysToRupture: 'Days to rupture', sortBy: 'Sort by', exportCsv: 'Export CSV',
  previous: 'Previous', next: 'Next', pageOf: 'Rows {from}–{to} of {total}', rowsPerPage: 'Rows per page',
  risk_stockout: 'Out of stock', risk_critical: 'Critical', risk_warning: 'Watch', risk_ok: 'OK', risk_unknown: 'No data', riskTitle: 'Worst site, against its lead time of {lead} days',
  demandTab: 'Demand', inventoryTab: 'Inventory', forecastsTab: 'Forecasts', featuresTab: 'Features',
  outlookTab: 'Projected stock', onHand: 'On hand', onOrder: 'On order', runOutDate: 'Runs out on', runOut: 'runs out', noRunOut: 'Not within {n} days',
  projectedStock: 'Projected stock', projectionTable: 'Projected stock per day', receipts: 'Arriving', noProjection: 'No published run yet: nothing to project.',
  projectionBandNote: 'On hand, plus open orders on their expected dates (overdue ones on the first day), minus the forecast. Band: 80%, from the daily forecast intervals with variances added over days and sites (treated as independent).',
  perSite: 'Short and surplus by site', shortUnits: 'Short (units)', surplusUnits: 'Surplus (units)', balance_short: 'Short', balance_surplus: 'Surplus', balance_ok: 'OK',
  reallocateCandidate: 'another site can cover it (REALLOCATE)', supplier: 'Supplier', onTime: 'On time', noSupplier: 'No supplier recorded.',
  openOrders: 'Open orders', noOpenOrders: 'No open orders.', expected: 'Expected', overdue: 'overdue',
  allSitesSummed: 'All {n} sites summed', featuresPerSite: 'Features are computed per site and do not add up across sites. Choose a site:',
  forecastAllSitesNote: 'All sites summed. The band combines the sites\u2019 intervals as independent (variances added), so it is narrower than the sum of their bounds.',
  day: 'Day', week: 'Week', month: 'Month', granularity: 'Granularity', horizon: 'Horizon', days: 'days',
  stock: 'Stock', safetyStock: 'Safety stock', reorderPoint: 'Reorder point', stockoutDays: 'Stockout days',
  model: 'Model', computedAt: 'Computed at', recentActuals: 'Recent actuals', date: 'Date', feature: 'Feature', value: 'Value',
  compare: 'Compare', compareBy: 'Compare by', items: 'Items', sites: 'Sites', addSeries: 'Add', remove: 'Remove',
  mape: 'MAPE', wape: 'WAPE', bias: 'Bias', series: 'Series', points: 'Points',
  health: 'Inventory health by site and ABC class', coverageDays: 'Coverage (days)', atRisk: 'At risk', stockouts: 'Stockouts',
  itemsCount: 'Items', drillDown: 'Show items',
  priority: 'Priority', type: 'Type', message: 'Message', quantity: 'Quantity', created: 'Created', status: 'Status',
  acknowledge: 'Acknowledge', acknowledged: 'Acknowledged', open: 'Open', acknowledgedFilter: 'Acknowledged?',
  level: 'Level', unreadOnly: 'Unread only', markRead: 'Mark read', resolve: 'Resolve', resolved: 'Resolved', read: 'Read', unread: 'Unread',
  users: 'Users', auditLog: 'Audit log', role: 'Role', active: 'Active', inactive: 'Inactive', lastLogin: 'Last login',
  createUser: 'Create user', email: 'Email', deactivate: 'Deactivate', activate: 'Activate', resetPassword: 'Reset password',
  newPassword: 'New password', save: 'Save', cancel: 'Cancel', actor: 'Actor', action: 'Action', from: 'From', to: 'To',
  entity: 'Entity', details: 'Details', when: 'When', apply: 'Apply', adminOnly: 'Only administrators can open this page.',
  saved: 'Saved.', selectItem: 'Choose an item', noForecast: 'No forecast for this item and site.', yes: 'Yes', no: 'No',
  noPolicy: 'No published policy (safety stock, reorder point) for this item and site yet.',
  policyNote: 'Current policy (run {run}, as of {d})', leadTime: 'lead time', leadTimeDays: 'Lead time (days)',
  atRiskHint: 'At risk: in stock, but days to rupture below the lead time.', coverageHint: 'Coverage: stock / mean daily demand of the last 90 days.',
  atRiskOnly: 'At risk only', stockoutsOnly: 'Stockouts only', total: 'Total', medianCoverage: 'Median coverage (days)', avgCoverage: 'Mean coverage (days)',
  items_of: 'Items: {site} · class {abc}', close: 'Close', coverage: 'Coverage (days)', skipToContent: 'Skip to content', menu: 'Menu', unreadAlerts: '{n} unread alerts', newCritical: 'New critical alerts: {n}', view: 'View', lastUpdate: 'Data as of {d}', dataThrough: 'Data through {d}', lastRun: 'Last pipeline run: {s} {d}', nextRun: 'next run {d}', runRunning: 'a pipeline run is under way', noNextRun: 'no next run scheduled', trendOf: '{k}, last 90 days',
  pointsChange: '{n} pts', runsOutNext: 'Runs out next', outOfStockNow: '{n} out of stock now', atRiskWithinLead: '{n} at risk within lead time', viewAll: 'View all',
  forecastWape: 'Forecast error (WAPE)', wapeNote: 'Item × site × day, days without demand included. MAPE, on days with demand only: {m}.',
  simulation: 'Policy simulation', simIntro: 'History replayed as if Corrente had run every morning: each policy on the same demand and lead times. Lower left is better: fewer stockouts for less stock.', simRun: 'Run', simPolicy: 'Policy', simService: 'Service level', simUnfilled: 'Demand unfilled', simAvgUnits: 'Avg units on hand', simTurns: 'Turns', simOrders: 'Orders', simAlertPrecision: 'Alert precision', simAlertRecall: 'Alert recall', simClassTargets: 'Targets: A < 2%, B < 5%, C < 10%', simByClass: 'Unfilled by class', simNone: 'No simulation yet: run `corrente simulate`, or start a what-if below.', simWhatIf: 'What if…', simSample: 'Series (sample)', simLeadScale: 'Lead times ×', simReview: 'Review period (days)', simStart: 'Start', simRunning: 'Running… (this page polls until it ends)', simFailed: 'The simulation failed: {e}', simChange: '{p}: stockouts {d} points, stock {u}% ', simBaseline: 'as today', simChanged: 'with the change', simChart: 'Stockouts against stock', simOutliers: 'Demand days read as zero by the outlier rule: {d}, in {c} of {n} series.', simOutliersNoTotal: 'Demand days read as zero by the outlier rule: {d}, in {c} series.', simOutliersNone: 'Demand days read as zero by the outlier rule: none.', simOutliersKept: 'Outliers kept: every demand day counted as recorded.', simOutliersWhy: 'A day over 10× its series\' usual high (90% quantile of its days with demand), and alone at that height, is read as zero, as the pipeline reads it.',
  selectAllOnPage: 'Select all on this page', selectGroup: 'Select the open rows of {g}', selectRow: 'Select row {id}', expand: 'Show the rows', collapse: 'Hide the rows', count: 'Count', latest: 'Latest', selectedN: '{n} selected', clearSelection: 'Clear selection', undo: 'Undo', undone: 'Undone.', searchOptions: 'Search…', noMatch: 'No match.', moreOptions: '{n} more: refine the search', ackedN: '{n} acknowledged', readN: '{n} marked read', alreadyDone: '({n} already done)', ackSelected: 'Acknowledge selected', markReadSelected: 'Mark selected read', openOf: '{open} open of {n}', unreadOf: '{open} unread of {n}', groupsTotal: '{n} item × site groups', score: 'At stake', pickOne: 'Choose…', simTried: 'This run: {p}', simParamSeries: '{n} series', simParamPolicy: 'policy {p}', simParamLead: 'lead times ×{x}', simParamReview: 'review every {d} days', simParamService: 'service level {c} {v}', unitsAxis: 'units', networkError: 'The server could not be reached. Check your connection and try again.', tooBusy: 'Too many requests right now.', unavailable: 'The service is unavailable for a moment.', retryIn: 'Try again in {s} s.', stakeHint: 'Money at risk: expected units short × unit price × criticality weight (0.5–1.5). The queue is sorted by it.', atStakeN: '{v} at stake',
  overrides: 'Overrides', ovUnitsPerDay: 'units/day', ovValue: 'Value', ovReason: 'Reason', ovCreate: 'Save draft', ovPeriod: 'Period', overrideThis: 'Override this forecast', 
  chartEdit: 'Set on the chart', chartEditHandle: 'Forecast of the week, units per day', chartEditHint: 'Click a week on the chart, drag its bar up or down, or focus the bar and use the arrow keys (Left/Right: another week; Up/Down: step {step}).', chartEditSaved: 'Draft override {id} saved: the orange line. Submit it for approval on', ovDraftLine: 'Your draft',
};type Dict = typeof en;
export type MsgKey = keyof Dict;

const pt: Dict = {
  app: 'Corrente', dashboard: 'Painel', materials: 'Materiais', forecasts: 'Previsões', inventory: 'Estoque',
  recommendations: 'Recomendações', alerts: 'Alertas', admin: 'Administração', logout: 'Sair', login: 'Entrar',
  username: 'Usuário', password: 'Senha', signingIn: 'Entrando…', loginTitle: 'Entrar no Corrente',
  sessionExpired: 'Sua sessão terminou. Entre de novo para continuar.', language: 'Idioma',
  loading: 'Carregando…', empty: 'Nada para mostrar.', error: 'Algo deu errado', retry: 'Tentar de novo',
  forbidden: 'Você não tem permissão para isso.', notFound: 'Página não encontrada.',
  stockoutRate: 'Taxa de ruptura', forecastMape: 'MAPE da previsão', delayedOrders: 'Pedidos atrasados', inventoryValue: 'Valor do estoque', avgInventoryValue: 'Valor médio do estoque por item × filial',
  vsPrevious: 'vs. 30 dias antes', noPrevious: 'sem valor anterior', demand90: 'Demanda, últimos 90 dias: real vs previsão',
  actual: 'Real', forecast: 'Previsão', band80: 'Faixa 80%', band95: 'Faixa 95%', today: 'hoje',
  topAlerts: 'Alertas críticos com mais em jogo', criticalRecs: 'Recomendações com mais em jogo', item: 'Item', site: 'Local', allSites: 'Todos os locais', allItemsTotal: 'Todos os itens (total)', bandIsSum: 'Soma de todos os itens. A faixa soma os limites de 80% dos itens, por isso é mais larga que o intervalo do próprio total.',
  family: 'Família', abcClass: 'Classe ABC', search: 'Buscar', all: 'Todos', sku: 'SKU', name: 'Nome', category: 'Categoria',
  criticality: 'Criticidade', risk: 'Risco', daysToRupture: 'Dias até a ruptura', sortBy: 'Ordenar por', exportCsv: 'Exportar CSV',
  previous: 'Anterior', next: 'Próxima', pageOf: 'Linhas {from}–{to} de {total}', rowsPerPage: 'Linhas por página',
  risk_stockout: 'Sem estoque', risk_critical: 'Crítico', risk_warning: 'Atenção', risk_ok: 'OK', risk_unknown: 'Sem dados', riskTitle: 'Pior local, comparado ao seu prazo de entrega de {lead} dias',
  demandTab: 'Demanda', inventoryTab: 'Estoque', forecastsTab: 'Previsões', featuresTab: 'Atributos',
  outlookTab: 'Estoque projetado', onHand: 'Em estoque', onOrder: 'Em pedido', runOutDate: 'Acaba em', runOut: 'acaba', noRunOut: 'Não em {n} dias',
  projectedStock: 'Estoque projetado', projectionTable: 'Estoque projetado por dia', receipts: 'Chegando', noProjection: 'Ainda não há execução publicada: nada a projetar.',
  projectionBandNote: 'Em estoque, mais os pedidos abertos nas datas previstas (os atrasados no primeiro dia), menos a previsão. Faixa: 80%, dos intervalos diários da previsão com as variâncias somadas entre dias e locais (tratados como independentes).',
  perSite: 'Falta e excesso por local', shortUnits: 'Falta (unid.)', surplusUnits: 'Excesso (unid.)', balance_short: 'Falta', balance_surplus: 'Excesso', balance_ok: 'OK',
  reallocateCandidate: 'outro local pode cobrir (REALOCAR)', supplier: 'Fornecedor', onTime: 'No prazo', noSupplier: 'Nenhum fornecedor registrado.',
  openOrders: 'Pedidos abertos', noOpenOrders: 'Nenhum pedido aberto.', expected: 'Previsto', overdue: 'atrasado',
  allSitesSummed: 'Soma dos {n} locais', featuresPerSite: 'Os atributos são calculados por local e não se somam entre locais. Escolha um local:',
  forecastAllSitesNote: 'Soma de todos os locais. A faixa combina os intervalos dos locais como independentes (variâncias somadas), por isso é mais estreita que a soma dos limites.',
  day: 'Dia', week: 'Semana', month: 'Mês', granularity: 'Granularidade', horizon: 'Horizonte', days: 'dias',
  stock: 'Estoque', safetyStock: 'Estoque de segurança', reorderPoint: 'Ponto de pedido', stockoutDays: 'Dias de ruptura',
  model: 'Modelo', computedAt: 'Calculado em', recentActuals: 'Real recente', date: 'Data', feature: 'Atributo', value: 'Valor',
  compare: 'Comparar', compareBy: 'Comparar por', items: 'Itens', sites: 'Locais', addSeries: 'Adicionar', remove: 'Remover',
  mape: 'MAPE', wape: 'WAPE', bias: 'Viés', series: 'Série', points: 'Pontos',
  health: 'Saúde do estoque por local e classe ABC', coverageDays: 'Cobertura (dias)', atRisk: 'Em risco', stockouts: 'Rupturas',
  itemsCount: 'Itens', drillDown: 'Ver itens',
  priority: 'Prioridade', type: 'Tipo', message: 'Mensagem', quantity: 'Quantidade', created: 'Criada', status: 'Situação',
  acknowledge: 'Confirmar', acknowledged: 'Confirmada', open: 'Aberta', acknowledgedFilter: 'Confirmada?',
  level: 'Nível', unreadOnly: 'Só não lidos', markRead: 'Marcar como lido', resolve: 'Resolver', resolved: 'Resolvido', read: 'Lido', unread: 'Não lido',
  users: 'Usuários', auditLog: 'Registro de auditoria', role: 'Papel', active: 'Ativo', inactive: 'Inativo', lastLogin: 'Último acesso',
  createUser: 'Criar usuário', email: 'E-mail', deactivate: 'Desativar', activate: 'Ativar', resetPassword: 'Redefinir senha',
  newPassword: 'Nova senha', save: 'Salvar', cancel: 'Cancelar', actor: 'Autor', action: 'Ação', from: 'De', to: 'Até',
  entity: 'Entidade', details: 'Detalhes', when: 'Quando', apply: 'Aplicar', adminOnly: 'Só administradores podem abrir esta página.',
  saved: 'Salvo.', selectItem: 'Escolha um item', noForecast: 'Sem previsão para este item e local.', yes: 'Sim', no: 'Não',
  noPolicy: 'Ainda não há política publicada (estoque de segurança, ponto de pedido) para este item e local.',
  policyNote: 'Política atual (execução {run}, em {d})', leadTime: 'prazo de entrega', leadTimeDays: 'Prazo (dias)',
  atRiskHint: 'Em risco: com estoque, mas dias até a ruptura abaixo do prazo de entrega.', coverageHint: 'Cobertura: estoque / demanda média diária dos últimos 90 dias.',
  atRiskOnly: 'Só em risco', stockoutsOnly: 'Só rupturas', total: 'Total', medianCoverage: 'Cobertura mediana (dias)', avgCoverage: 'Cobertura média (dias)',
  items_of: 'Itens: {site} · classe {abc}', close: 'Fechar', coverage: 'Cobertura (dias)', skipToContent: 'Pular para o conteúdo', menu: 'Menu', unreadAlerts: '{n} alertas não lidos', newCritical: 'Novos alertas críticos: {n}', view: 'Ver', lastUpdate: 'Dados de {d}', dataThrough: 'Dados até {d}', lastRun: 'Última execução do pipeline: {s} {d}', nextRun: 'próxima execução {d}', runRunning: 'uma execução do pipeline está em andamento', noNextRun: 'nenhuma execução agendada', trendOf: '{k}, últimos 90 dias',
  pointsChange: '{n} p.p.', runsOutNext: 'Acabam primeiro', outOfStockNow: '{n} sem estoque agora', atRiskWithinLead: '{n} em risco dentro do prazo', viewAll: 'Ver todos',
  forecastWape: 'Erro da previsão (WAPE)', wapeNote: 'Item × local × dia, dias sem demanda incluídos. MAPE, só nos dias com demanda: {m}.',
  simulation: 'Simulação de políticas', simIntro: 'O histórico reproduzido como se o Corrente tivesse rodado toda manhã: cada política com a mesma demanda e os mesmos prazos. Embaixo à esquerda é melhor: menos rupturas com menos estoque.', simRun: 'Execução', simPolicy: 'Política', simService: 'Nível de serviço', simUnfilled: 'Demanda não atendida', simAvgUnits: 'Unidades médias em estoque', simTurns: 'Giro', simOrders: 'Pedidos', simAlertPrecision: 'Precisão dos alertas', simAlertRecall: 'Cobertura dos alertas', simClassTargets: 'Metas: A < 2%, B < 5%, C < 10%', simByClass: 'Não atendida por classe', simNone: 'Nenhuma simulação ainda: rode `corrente simulate`, ou inicie um cenário abaixo.', simWhatIf: 'E se…', simSample: 'Séries (amostra)', simLeadScale: 'Prazos ×', simReview: 'Período de revisão (dias)', simStart: 'Iniciar', simRunning: 'Rodando… (esta página acompanha até o fim)', simFailed: 'A simulação falhou: {e}', simChange: '{p}: rupturas {d} pontos, estoque {u}% ', simBaseline: 'como hoje', simChanged: 'com a mudança', simChart: 'Rupturas contra estoque', simOutliers: 'Dias de demanda lidos como zero pela regra de outliers: {d}, em {c} de {n} séries.', simOutliersNoTotal: 'Dias de demanda lidos como zero pela regra de outliers: {d}, em {c} séries.', simOutliersNone: 'Dias de demanda lidos como zero pela regra de outliers: nenhum.', simOutliersKept: 'Outliers mantidos: todos os dias de demanda contados como registrados.', simOutliersWhy: 'Um dia acima de 10× o nível alto usual da série (quantil 90% dos dias com demanda), e sozinho nessa altura, é lido como zero, como o pipeline o lê.',
  selectAllOnPage: 'Selecionar todos desta página', selectGroup: 'Selecionar as linhas abertas de {g}', selectRow: 'Selecionar a linha {id}', expand: 'Mostrar as linhas', collapse: 'Ocultar as linhas', count: 'Nº', latest: 'Última', selectedN: '{n} selecionados', clearSelection: 'Limpar seleção', undo: 'Desfazer', undone: 'Desfeito.', searchOptions: 'Buscar…', noMatch: 'Nada encontrado.', moreOptions: 'mais {n}: refine a busca', ackedN: '{n} confirmadas', readN: '{n} marcados como lidos', alreadyDone: '({n} já feitos)', ackSelected: 'Confirmar selecionadas', markReadSelected: 'Marcar selecionados como lidos', openOf: '{open} abertas de {n}', unreadOf: '{open} não lidos de {n}', groupsTotal: '{n} grupos item × local', score: 'Em jogo', pickOne: 'Escolha…', simTried: 'Esta execução: {p}', simParamSeries: '{n} séries', simParamPolicy: 'política {p}', simParamLead: 'prazos ×{x}', simParamReview: 'revisão a cada {d} dias', simParamService: 'nível de serviço {c} {v}', unitsAxis: 'unidades', networkError: 'Não foi possível falar com o servidor. Verifique sua conexão e tente de novo.', tooBusy: 'Muitas requisições agora.', unavailable: 'O serviço está indisponível por um momento.', retryIn: 'Tente de novo em {s} s.', stakeHint: 'Dinheiro em risco: unidades que devem faltar × preço unitário × peso da criticidade (0,5–1,5). A fila é ordenada por ele.', atStakeN: '{v} em jogo',
  overrides: 'Ajustes', ovUnitsPerDay: 'unid./dia', ovValue: 'Valor', ovReason: 'Motivo', ovCreate: 'Salvar rascunho', ovPeriod: 'Período', overrideThis: 'Ajustar esta previsão', 
  chartEdit: 'Ajustar no gráfico', chartEditHandle: 'Previsão da semana, unidades por dia', chartEditHint: 'Clique em uma semana no gráfico, arraste a barra para cima ou para baixo, ou foque a barra e use as setas (Esquerda/Direita: outra semana; Cima/Baixo: passo {step}).', chartEditSaved: 'Rascunho de ajuste {id} salvo: a linha laranja. Envie-o para aprovação em', ovDraftLine: 'Seu rascunho',
};
export const dictionaries: Record<Locale, Dict> = { en, 'pt-BR': pt };

function fill(s: string, vars?: Record<string, string | number>): string {
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

export function translate(locale: Locale, key: MsgKey, vars?: Record<string, string | number>): string {
  return fill(dictionaries[locale][key] ?? en[key] ?? key, vars);
}

/** A page's own strings, in both languages, kept in the page's lazy chunk rather than in every
 *  page's shared dictionary; `t` reads them first, then the shared ones. */
export type PageStrings<K extends string> = { en: Record<K, string>; 'pt-BR': Record<K, string> };
export function usePageI18n<K extends string>(strings: PageStrings<K>) {
  const i = useContext(Ctx);
  return useMemo(() => ({
    ...i,
    t: (k: K | MsgKey, vars?: Record<string, string | number>) =>
      k in strings.en ? fill(strings[i.locale][k as K] ?? strings.en[k as K], vars) : i.t(k as MsgKey, vars),
  }), [i, strings]);
}

export function detectLocale(): Locale {
  try {
    const saved = localStorage.getItem('corrente.locale');
    if (saved === 'en' || saved === 'pt-BR') return saved;
  } catch { /* ignore */ }
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return nav.toLowerCase().startsWith('pt') ? 'pt-BR' : 'en';
}

interface I18n { locale: Locale; setLocale: (l: Locale) => void; t: (k: MsgKey, vars?: Record<string, string | number>) => string }
const Ctx = createContext<I18n>({ locale: 'en', setLocale: () => {}, t: (k, v) => translate('en', k, v) });

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(initial ?? detectLocale());
  const value = useMemo<I18n>(() => ({
    locale,
    setLocale: (l) => {
      setLocaleState(l);
      try { localStorage.setItem('corrente.locale', l); } catch { /* ignore */ }
      document.documentElement.lang = l;
    },
    t: (k, v) => translate(locale, k, v),
  }), [locale]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useI18n = () => useContext(Ctx);
